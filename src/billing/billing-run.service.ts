import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { addDays, type LocalDate } from '../billing-calc/calendar';
import { MAX_TRIAL_NOTICE_DAYS, trialNoticesDue } from './core/trial-notice';
import { Clock, CLOCK } from '../platform/clock/clock';
import { APP_CONFIG, AppConfig } from '../platform/config/config';
import { NotFoundError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import { billingDueSubscriptions } from '../platform/metrics/metrics';
import { DueQuery, SubscriptionLedger } from '../subscriptions/subscription-ledger';
import { BillingBatch } from './billing-batch';
import { crashIfAsked } from './crash-points';
import { BillingRepository } from './billing.repository';
import {
  BillingRunOptions,
  BillingRunRecord,
  BillingRunSummary,
  emptySummary,
} from './billing-run.types';

const SUBSCRIPTION_LOCK = 'rebill:billing:';
const RUN_LOCK = 'rebill:billing-run:';
const DEFAULT_BATCH = 250;
const DEFAULT_IN_FLIGHT = 32;
/** A subscription billed this many times in one run (a daily one far behind) waits for the next. */
const MAX_ROUNDS_PER_RUN = 400;

interface RunState {
  runId: string;
  options: BillingRunOptions;
  summary: BillingRunSummary;
  /** Left for a later run: not claimed again by this one. */
  deferred: Set<string>;
  seen: Map<string, number>;
}

/**
 * The billing run: bills every due subscription once per cycle (docs/billing-run.md).
 * Orchestration only: workers claim batches of due subscriptions (FOR UPDATE SKIP LOCKED,
 * then a session advisory lock each, held on the worker's connection until the batch is
 * done) and put each batch through the three phases of BillingBatch. The rules live in
 * core/, the billing tables in BillingRepository, other modules behind their ports.
 */
@Injectable()
export class BillingRunService {
  private readonly logger = new Logger(BillingRunService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: BillingRepository,
    private readonly ledger: SubscriptionLedger,
    private readonly batch: BillingBatch,
  ) {}

  /** The one definition of "due" as of a date: the run, the dry run, the CLI and the metrics. */
  async dueQuery(
    em: EntityManager | undefined,
    asOf: LocalDate,
    merchantId: string | null,
  ): Promise<DueQuery> {
    const owed = await this.repository.owedByBilling(em, asOf, merchantId);
    return { asOf, merchantId, ...owed };
  }

  async countDue(asOf: LocalDate, merchantId: string | null): Promise<number> {
    const em = this.dataSource.manager;
    return this.ledger.countDue(em, await this.dueQuery(em, asOf, merchantId));
  }

  async run(options: BillingRunOptions): Promise<BillingRunRecord> {
    await this.reconcileAbandoned();
    const runId = newId();
    const state: RunState = {
      runId,
      options,
      summary: emptySummary(),
      deferred: new Set(),
      seen: new Map(),
    };
    await this.repository.insertRun({
      id: runId,
      merchantId: options.merchantId ?? null,
      asOf: options.asOf,
      dryRun: options.dryRun === true,
      triggeredBy: options.triggeredBy,
      summary: state.summary,
      startedAt: this.clock.now(),
    });
    // The run's owner lock: held on its own connection while it runs, gone with the process.
    const owner = this.dataSource.createQueryRunner();
    await owner.connect();
    let error: string | null = null;
    try {
      await owner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [RUN_LOCK + runId]);
      billingDueSubscriptions.set(await this.countDue(options.asOf, options.merchantId ?? null));
      if (options.dryRun) {
        await this.preview(state);
      } else {
        await this.sendTrialNotices(options);
        // Each worker holds two connections (its claim session and a phase transaction);
        // the run's owner lock holds one more.
        const workers = Math.max(
          1,
          Math.min(options.workers ?? 1, 16, Math.floor((this.config.databasePoolSize - 3) / 2)),
        );
        await Promise.all(Array.from({ length: workers }, () => this.work(state)));
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.logger.error({ err, runId }, 'billing run failed');
    } finally {
      state.summary.subscriptions = state.seen.size;
      await this.repository.finishRun(runId, error ? 'failed' : 'completed', state.summary, error);
      await owner.release();
    }
    return this.repository.getRun(options.merchantId ?? null, runId);
  }

  /**
   * The "trial will end" notices due as of the run's date (core/trial-notice.ts), each sent
   * once: one transaction, a constant number of statements.
   */
  private async sendTrialNotices(options: BillingRunOptions): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const trials = await this.ledger.trialsEnding(em, {
        merchantId: options.merchantId ?? null,
        by: addDays(options.asOf, MAX_TRIAL_NOTICE_DAYS),
        only: options.subscriptionIds ?? null,
      });
      if (trials.length === 0) return 0;
      const settings = await this.repository.settingsFor(em, [
        ...new Set(trials.map((t) => t.merchantId)),
      ]);
      const due = trialNoticesDue(
        trials,
        options.asOf,
        (merchantId) => settings.get(merchantId)!.trialNoticeDays,
      );
      return this.ledger.sendTrialNotices(
        em,
        due.map((t) => t.id),
      );
    });
  }

  /**
   * A run whose process died stays 'running' with the summary of its last batch. Any run
   * found running whose owner lock can be taken has no live owner: it is marked 'abandoned'
   * with the counts its attempts show.
   */
  async reconcileAbandoned(): Promise<number> {
    const running = await this.repository.runningRuns();
    if (running.length === 0) return 0;
    const probe = this.dataSource.createQueryRunner();
    await probe.connect();
    let abandoned = 0;
    try {
      for (const run of running) {
        const [{ free }] = await probe.query(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS free',
          [RUN_LOCK + run.id],
        );
        if (!free) continue;
        try {
          const counted = await this.repository.summaryFromAttempts(run.id);
          await this.repository.markAbandoned(run.id, {
            ...emptySummary(),
            ...run.summary,
            ...counted,
          });
          abandoned++;
        } finally {
          await probe.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
            RUN_LOCK + run.id,
          ]);
        }
      }
    } finally {
      await probe.release();
    }
    return abandoned;
  }

  getRun(merchantId: string | null, runId: string): Promise<BillingRunRecord> {
    return this.repository.getRun(merchantId, runId);
  }

  findRun(merchantId: string, runId: string): Promise<BillingRunRecord> {
    return this.repository.getRun(merchantId, runId);
  }

  listRuns(merchantId: string, limit: number, offset: number) {
    return this.repository.listRuns(merchantId, limit, offset);
  }

  async billingsOf(merchantId: string, subscriptionId: string) {
    if (!(await this.ledger.exists(this.dataSource.manager, merchantId, subscriptionId))) {
      throw new NotFoundError('subscription', subscriptionId);
    }
    return this.repository.billingsOf(merchantId, subscriptionId);
  }

  // ------------------------------------------------------------------ workers

  /** One worker: claims batches and puts each through the three phases. */
  private async work(state: RunState): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      for (;;) {
        const claimed = await this.claimBatch(runner, state);
        if (claimed.length === 0) return;
        try {
          await this.billBatch(claimed, state);
        } catch (err) {
          for (const id of claimed) state.deferred.add(id);
          state.summary.errors += claimed.length;
          this.logger.error({ err, runId: state.runId }, 'billing a batch failed');
        } finally {
          await runner.query(
            `SELECT pg_advisory_unlock(hashtextextended($2 || id, 0)) FROM unnest($1::text[]) AS id`,
            [claimed, SUBSCRIPTION_LOCK],
          );
        }
        state.summary.subscriptions = state.seen.size;
        state.options.onProgress?.(state.summary);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Claims up to a batch of due subscriptions: rows locked by another worker's claim are
   * skipped, and each claimed one is held by a session advisory lock on this worker's own
   * connection until its batch is done. If the process dies its connection closes and the
   * locks go with it. Two statements whatever the batch size.
   */
  private async claimBatch(runner: QueryRunner, state: RunState): Promise<string[]> {
    await runner.startTransaction();
    try {
      const em = runner.manager;
      const q = {
        ...(await this.dueQuery(em, state.options.asOf, state.options.merchantId ?? null)),
        only: state.options.subscriptionIds ?? null,
      };
      const candidates = await this.ledger.claimDue(
        em,
        q,
        state.options.batchSize ?? DEFAULT_BATCH,
        [...state.deferred],
      );
      const locked: { id: string }[] =
        candidates.length === 0
          ? []
          : await runner.query(
              `SELECT id FROM unnest($1::text[]) AS id WHERE pg_try_advisory_lock(hashtextextended($2 || id, 0))`,
              [candidates, SUBSCRIPTION_LOCK],
            );
      await runner.commitTransaction();
      const claimed = new Set(locked.map((r) => r.id));
      // Held by another worker right now (it is billing them): that worker finishes them.
      for (const id of candidates) if (!claimed.has(id)) state.deferred.add(id);
      return [...claimed];
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    }
  }

  private async billBatch(ids: string[], state: RunState): Promise<void> {
    for (const id of ids) {
      const rounds = (state.seen.get(id) ?? 0) + 1;
      state.seen.set(id, rounds);
      if (rounds >= MAX_ROUNDS_PER_RUN) state.deferred.add(id);
    }
    const ctx = { runId: state.runId, asOf: state.options.asOf, dryRun: false };
    const t0 = performance.now();
    const plan = await this.dataSource.transaction((em) => this.batch.decide(em, ids, ctx));
    const t1 = performance.now();
    for (const id of plan.deferred) state.deferred.add(id);
    if (plan.charges.length === 0) return;
    crashIfAsked('after_decide');
    const outcomes = await this.batch.charge(
      plan.charges,
      state.options.inFlight ?? DEFAULT_IN_FLIGHT,
    );
    crashIfAsked('after_charge');
    const t2 = performance.now();
    const left = await this.dataSource.transaction(async (em) => {
      const deferred = await this.batch.record(em, plan.charges, outcomes, state.summary);
      state.summary.subscriptions = state.seen.size;
      await this.repository.recordProgress(em, state.runId, state.summary);
      return deferred;
    });
    for (const id of left) state.deferred.add(id);
    this.logger.debug(
      {
        runId: state.runId,
        size: ids.length,
        decideMs: Math.round(t1 - t0),
        chargeMs: Math.round(t2 - t1),
        recordMs: Math.round(performance.now() - t2),
      },
      'batch billed',
    );
  }

  // ------------------------------------------------------------------ dry run

  /** What a run would charge, decided by the same code without writing anything. */
  private async preview(state: RunState): Promise<void> {
    state.summary.would_charge = [];
    const em = this.dataSource.manager;
    const due = await this.ledger.dueIds(em, {
      ...(await this.dueQuery(em, state.options.asOf, state.options.merchantId ?? null)),
      only: state.options.subscriptionIds ?? null,
    });
    const size = state.options.batchSize ?? DEFAULT_BATCH;
    for (let i = 0; i < due.length; i += size) {
      const ids = due.slice(i, i + size);
      const plan = await this.dataSource.transaction((tx) =>
        this.batch.decide(tx, ids, { runId: state.runId, asOf: state.options.asOf, dryRun: true }),
      );
      state.summary.would_charge.push(...plan.wouldCharge);
      for (const id of ids) state.seen.set(id, 1);
    }
  }
}
