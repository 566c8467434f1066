import { DEFAULT_DISPUTE_ACTION, DisputeAction } from './core/dispute-policy';
import { DEFAULT_TRIAL_NOTICE_DAYS } from './core/trial-notice';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { RecurringChargeLine } from '../billing-calc';
import type { LocalDate } from '../billing-calc/calendar';
import type { StoredCredentialFields } from '../gateway/cit-mit';
import { EventLog } from '../events/event-log';
import { Clock, CLOCK } from '../platform/clock/clock';
import { NotFoundError } from '../platform/errors/errors';
import type { BillingRunRecord, BillingRunStatus, BillingRunSummary } from './billing-run.types';
import { CatchUp, CycleStatus, DEFAULT_DUNNING, FinalAction } from './core/dunning';
import type { BillingSettings } from './billing-settings.service';

/** A charge attempt as recorded before the gateway hears of it. */
export interface AttemptRow {
  id: string;
  merchantId: string;
  subscriptionId: string;
  cycleId: string;
  billDate: LocalDate;
  attempt: number;
  idempotencyKey: string;
  orderId: string;
  processorId: string;
  amount: number;
  state: 'started' | 'approved' | 'declined' | 'unknown';
  initiatedBy: string;
  storedCredential: StoredCredentialFields | null;
  paymentMethodId: string | null;
  runId: string | null;
  createdAt: Date;
}

export interface CycleRow {
  id: string;
  merchantId: string;
  subscriptionId: string;
  billDate: LocalDate;
  billingNumber: number;
  amount: number;
  currency: string;
  invoiceId: string | null;
  status: CycleStatus;
  attempts: number;
  nextRetryDate: LocalDate | null;
}

export interface NewCycle {
  id: string;
  merchantId: string;
  subscriptionId: string;
  billDate: LocalDate;
  billingNumber: number;
  amount: number;
  currency: string;
  lines: readonly RecurringChargeLine[];
}

export interface RecordedOutcome {
  attemptId: string;
  state: 'approved' | 'declined' | 'unknown';
  transactionId: string | null;
  responseCode: number;
  declineKind: string | null;
  message: string;
}

export interface CycleUpdate {
  id: string;
  status: CycleStatus;
  nextRetryDate: LocalDate | null;
  paidTransactionId: string | null;
}

/**
 * The billing tables (cycles, attempts, runs, settings) and nothing else: the only code that
 * touches them. Every batch method is one statement whatever the batch size.
 */
@Injectable()
export class BillingRepository {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly eventLog: EventLog,
  ) {}

  private m(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  // ------------------------------------------------------------------ due (billing side)

  /**
   * The billing side of "due" as of a date: subscriptions with an open cycle whose retry is
   * due, and subscriptions with an attempt whose outcome is not recorded (DueQuery).
   */
  async owedByBilling(
    em: EntityManager | undefined,
    asOf: LocalDate,
    merchantId: string | null,
  ): Promise<{ retryDue: string[]; unsettled: string[] }> {
    const rows: { subscription_id: string; kind: 'retry' | 'unsettled' }[] = await this.m(em).query(
      `SELECT DISTINCT subscription_id, 'retry' AS kind FROM billing_cycles
        WHERE status = 'open' AND next_retry_date <= $1 AND ($2::text IS NULL OR merchant_id = $2)
       UNION
       SELECT DISTINCT subscription_id, 'unsettled' AS kind FROM charge_attempts
        WHERE state IN ('started', 'unknown') AND ($2::text IS NULL OR merchant_id = $2)`,
      [asOf, merchantId],
    );
    return {
      retryDue: rows.filter((r) => r.kind === 'retry').map((r) => r.subscription_id),
      unsettled: rows.filter((r) => r.kind === 'unsettled').map((r) => r.subscription_id),
    };
  }

  /** Attempts of these subscriptions whose outcome was never recorded, oldest first. */
  async unsettledAttempts(
    em: EntityManager,
    subscriptionIds: readonly string[],
  ): Promise<AttemptRow[]> {
    const rows: Record<string, unknown>[] = await em.query(
      `SELECT * FROM charge_attempts
        WHERE subscription_id = ANY($1::text[]) AND state IN ('started', 'unknown')
        ORDER BY created_at, attempt`,
      [subscriptionIds],
    );
    return rows.map(attemptFrom);
  }

  /** Open cycles of these subscriptions with a retry due by `asOf`, oldest first, locked. */
  async retryDueCycles(
    em: EntityManager,
    subscriptionIds: readonly string[],
    asOf: LocalDate,
  ): Promise<CycleRow[]> {
    const rows: Record<string, unknown>[] = await em.query(
      `SELECT * FROM billing_cycles
        WHERE subscription_id = ANY($1::text[]) AND status = 'open' AND next_retry_date <= $2
        ORDER BY bill_date FOR UPDATE`,
      [subscriptionIds, asOf],
    );
    return rows.map(cycleFrom);
  }

  /** The latest bill date the subscription was billed for before `before` (its current cycle's start), or null. */
  async lastBilledDate(subscriptionId: string, before: LocalDate): Promise<LocalDate | null> {
    const rows: { bill_date: string }[] = await this.dataSource.query(
      `SELECT max(bill_date)::text AS bill_date FROM billing_cycles
        WHERE subscription_id = $1 AND bill_date < $2`,
      [subscriptionId, before],
    );
    return rows[0]?.bill_date ?? null;
  }

  /** For each subscription, the bill dates from its next bill date up to `asOf` that have a cycle. */
  async billedDates(
    em: EntityManager,
    from: readonly { subscriptionId: string; from: LocalDate }[],
    asOf: LocalDate,
  ): Promise<Map<string, Set<LocalDate>>> {
    const out = new Map<string, Set<LocalDate>>();
    if (from.length === 0) return out;
    const rows: { subscription_id: string; bill_date: string }[] = await em.query(
      `SELECT c.subscription_id, c.bill_date FROM billing_cycles c
         JOIN unnest($1::text[], $2::date[]) AS u(subscription_id, from_date)
           ON c.subscription_id = u.subscription_id AND c.bill_date >= u.from_date
        WHERE c.bill_date <= $3`,
      [from.map((f) => f.subscriptionId), from.map((f) => f.from), asOf],
    );
    for (const r of rows) {
      const set = out.get(r.subscription_id) ?? new Set<LocalDate>();
      set.add(r.bill_date);
      out.set(r.subscription_id, set);
    }
    return out;
  }

  /**
   * Inserts the cycles (attempts = 1: each is charged at once); a cycle that already exists
   * for its (subscription, bill date) is left as it is. Returns the ids actually inserted.
   */
  async insertCycles(em: EntityManager, cycles: readonly NewCycle[]): Promise<Set<string>> {
    if (cycles.length === 0) return new Set();
    const now = this.clock.now();
    const rows: { id: string }[] = await em.query(
      `INSERT INTO billing_cycles
         (id, merchant_id, subscription_id, bill_date, billing_number, amount, currency, lines,
          status, attempts, created_at, updated_at)
       SELECT u.id, u.merchant_id, u.subscription_id, u.bill_date, u.billing_number, u.amount,
              u.currency, u.lines, 'open', 1, $9, $9
         FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::int[], $6::bigint[],
                     $7::text[], $8::jsonb[])
              AS u(id, merchant_id, subscription_id, bill_date, billing_number, amount, currency, lines)
       ON CONFLICT (subscription_id, bill_date) DO NOTHING
       RETURNING id`,
      [
        cycles.map((c) => c.id),
        cycles.map((c) => c.merchantId),
        cycles.map((c) => c.subscriptionId),
        cycles.map((c) => c.billDate),
        cycles.map((c) => c.billingNumber),
        cycles.map((c) => c.amount),
        cycles.map((c) => c.currency),
        cycles.map((c) => JSON.stringify(c.lines)),
        now,
      ],
    );
    return new Set(rows.map((r) => r.id));
  }

  async setCycleInvoices(
    em: EntityManager,
    pairs: readonly { cycleId: string; invoiceId: string }[],
  ): Promise<void> {
    if (pairs.length === 0) return;
    await em.query(
      `UPDATE billing_cycles c SET invoice_id = u.invoice_id
         FROM unnest($1::text[], $2::text[]) AS u(id, invoice_id) WHERE c.id = u.id`,
      [pairs.map((p) => p.cycleId), pairs.map((p) => p.invoiceId)],
    );
  }

  /** A retry is about to be charged: the cycle's attempt count, no retry date pending. */
  async startRetries(
    em: EntityManager,
    retries: readonly { cycleId: string; attempts: number }[],
  ): Promise<void> {
    if (retries.length === 0) return;
    await em.query(
      `UPDATE billing_cycles c SET attempts = u.attempts, next_retry_date = NULL, updated_at = $3
         FROM unnest($1::text[], $2::int[]) AS u(id, attempts) WHERE c.id = u.id`,
      [retries.map((r) => r.cycleId), retries.map((r) => r.attempts), this.clock.now()],
    );
  }

  /** Records attempts in state 'started': the recovery point before the gateway is called. */
  async insertAttempts(em: EntityManager, attempts: readonly AttemptRow[]): Promise<void> {
    if (attempts.length === 0) return;
    await em.query(
      `INSERT INTO charge_attempts
         (id, merchant_id, subscription_id, cycle_id, bill_date, attempt, idempotency_key, order_id,
          processor_id, amount, state, recovery_point, initiated_by, stored_credential,
          payment_method_id, run_id, created_at, updated_at)
       SELECT u.id, u.merchant_id, u.subscription_id, u.cycle_id, u.bill_date, u.attempt,
              u.idempotency_key, u.order_id, u.processor_id, u.amount, 'started', 'attempt_recorded',
              u.initiated_by, u.stored_credential, u.payment_method_id, u.run_id, u.created_at,
              u.created_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::int[],
                     $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::jsonb[],
                     $13::text[], $14::text[], $15::timestamptz[])
              AS u(id, merchant_id, subscription_id, cycle_id, bill_date, attempt, idempotency_key,
                   order_id, processor_id, amount, initiated_by, stored_credential,
                   payment_method_id, run_id, created_at)`,
      [
        attempts.map((a) => a.id),
        attempts.map((a) => a.merchantId),
        attempts.map((a) => a.subscriptionId),
        attempts.map((a) => a.cycleId),
        attempts.map((a) => a.billDate),
        attempts.map((a) => a.attempt),
        attempts.map((a) => a.idempotencyKey),
        attempts.map((a) => a.orderId),
        attempts.map((a) => a.processorId),
        attempts.map((a) => a.amount),
        attempts.map((a) => a.initiatedBy),
        attempts.map((a) =>
          a.storedCredential === null ? null : JSON.stringify(a.storedCredential),
        ),
        attempts.map((a) => a.paymentMethodId),
        attempts.map((a) => a.runId),
        attempts.map((a) => a.createdAt),
      ],
    );
  }

  /**
   * Records the outcomes, each at most once (only attempts still 'started' or 'unknown'
   * change). Returns the ids that changed: an outcome recorded meanwhile by another worker is
   * not applied twice.
   */
  async recordOutcomes(
    em: EntityManager,
    outcomes: readonly RecordedOutcome[],
  ): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await em.query(
      `UPDATE charge_attempts a
          SET state = u.state,
              recovery_point = CASE WHEN u.state = 'unknown' THEN 'attempt_recorded' ELSE 'outcome_recorded' END,
              gateway_transaction_id = u.transaction_id, response_code = u.response_code,
              decline_kind = u.decline_kind, message = u.message, updated_at = $7
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
              AS u(id, state, transaction_id, response_code, decline_kind, message)
        WHERE a.id = u.id AND a.state IN ('started', 'unknown')
        RETURNING a.id`,
      [
        outcomes.map((o) => o.attemptId),
        outcomes.map((o) => o.state),
        outcomes.map((o) => o.transactionId),
        outcomes.map((o) => o.responseCode),
        outcomes.map((o) => o.declineKind),
        outcomes.map((o) => o.message),
        this.clock.now(),
      ],
    );
    return new Set(rows.map((r) => r.id));
  }

  async lockCycles(em: EntityManager, ids: readonly string[]): Promise<CycleRow[]> {
    if (ids.length === 0) return [];
    const rows: Record<string, unknown>[] = await em.query(
      `SELECT * FROM billing_cycles WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return rows.map(cycleFrom);
  }

  async updateCycles(em: EntityManager, updates: readonly CycleUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await em.query(
      `UPDATE billing_cycles c
          SET status = u.status, next_retry_date = u.next_retry_date,
              paid_transaction_id = coalesce(u.paid_transaction_id, c.paid_transaction_id),
              updated_at = $5
         FROM unnest($1::text[], $2::text[], $3::date[], $4::text[])
              AS u(id, status, next_retry_date, paid_transaction_id)
        WHERE c.id = u.id`,
      [
        updates.map((u) => u.id),
        updates.map((u) => u.status),
        updates.map((u) => u.nextRetryDate),
        updates.map((u) => u.paidTransactionId),
        this.clock.now(),
      ],
    );
  }

  /** Subscriptions that have an open cycle other than the given ones. */
  async withOtherOpenCycles(
    em: EntityManager,
    subscriptionIds: readonly string[],
    exceptCycleIds: readonly string[],
  ): Promise<Set<string>> {
    if (subscriptionIds.length === 0) return new Set();
    const rows: { subscription_id: string }[] = await em.query(
      `SELECT DISTINCT subscription_id FROM billing_cycles
        WHERE subscription_id = ANY($1::text[]) AND status = 'open' AND id <> ALL($2::text[])`,
      [subscriptionIds, exceptCycleIds],
    );
    return new Set(rows.map((r) => r.subscription_id));
  }

  /** A cycle's invoice was paid outside the run: the cycle is paid. Null when no cycle was open. */
  async settleCycleOfInvoice(
    em: EntityManager,
    invoiceId: string,
    transactionId: string | null,
  ): Promise<{ subscriptionId: string; billDate: LocalDate } | null> {
    const [settled]: [{ subscription_id: string; bill_date: string }[], number] = await em.query(
      `UPDATE billing_cycles SET status = 'paid', next_retry_date = NULL, paid_transaction_id = $2, updated_at = $3
        WHERE invoice_id = $1 AND status IN ('open', 'failed')
        RETURNING subscription_id, bill_date`,
      [invoiceId, transactionId, this.clock.now()],
    );
    if (settled.length === 0) return null;
    return { subscriptionId: settled[0].subscription_id, billDate: settled[0].bill_date };
  }

  async hasOpenCycle(em: EntityManager, subscriptionId: string): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `SELECT 1 FROM billing_cycles WHERE subscription_id = $1 AND status = 'open' LIMIT 1`,
      [subscriptionId],
    );
    return rows.length > 0;
  }

  /** Every billing of a subscription: its cycles with their attempts. */
  async billingsOf(merchantId: string, subscriptionId: string) {
    const cycles: Record<string, any>[] = await this.m().query(
      `SELECT c.*, coalesce(json_agg(json_build_object(
                'attempt', a.attempt, 'state', a.state, 'amount', a.amount,
                'transaction_id', a.gateway_transaction_id, 'response_code', a.response_code,
                'message', a.message, 'initiated_by', a.initiated_by, 'created_at', a.created_at)
              ORDER BY a.attempt) FILTER (WHERE a.id IS NOT NULL), '[]') AS attempts_list
         FROM billing_cycles c LEFT JOIN charge_attempts a ON a.cycle_id = c.id
        WHERE c.subscription_id = $1 AND c.merchant_id = $2
        GROUP BY c.id ORDER BY c.bill_date`,
      [subscriptionId, merchantId],
    );
    return cycles.map((c) => ({
      bill_date: c.bill_date,
      billing_number: c.billing_number,
      amount: Number(c.amount),
      currency: c.currency,
      lines: c.lines,
      status: c.status,
      invoice_id: c.invoice_id,
      next_retry_date: c.next_retry_date,
      paid_transaction_id: c.paid_transaction_id,
      attempts: (c.attempts_list as Record<string, unknown>[]).map((a) => ({
        ...a,
        amount: Number(a.amount),
      })),
    }));
  }

  // ------------------------------------------------------------------ disputes

  /** The cycles a payment paid (the disputed transactions), locked. */
  async cyclesPaidBy(
    em: EntityManager,
    transactionIds: readonly string[],
  ): Promise<
    {
      id: string;
      merchantId: string;
      subscriptionId: string;
      billDate: string;
      transactionId: string;
    }[]
  > {
    if (transactionIds.length === 0) return [];
    const rows: {
      id: string;
      merchant_id: string;
      subscription_id: string;
      bill_date: string;
      paid_transaction_id: string;
    }[] = await em.query(
      `SELECT id, merchant_id, subscription_id, to_char(bill_date, 'YYYY-MM-DD') AS bill_date, paid_transaction_id
           FROM billing_cycles WHERE paid_transaction_id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [transactionIds],
    );
    return rows.map((r) => ({
      id: r.id,
      merchantId: r.merchant_id,
      subscriptionId: r.subscription_id,
      billDate: r.bill_date,
      transactionId: r.paid_transaction_id,
    }));
  }

  /** Marks cycles disputed (the cycle stays paid: the money was taken back by the network). */
  async markDisputed(
    em: EntityManager,
    marks: readonly { cycleId: string; disputeId: string }[],
    now: Date,
  ): Promise<void> {
    if (marks.length === 0) return;
    await em.query(
      `UPDATE billing_cycles c SET disputed_at = $3, dispute_id = u.dispute_id, updated_at = $3
         FROM unnest($1::text[], $2::text[]) AS u(id, dispute_id) WHERE c.id = u.id`,
      [marks.map((m) => m.cycleId), marks.map((m) => m.disputeId), now],
    );
  }

  // ------------------------------------------------------------------ settings

  /** Each merchant's settings (defaults for those without a row); one query. */
  async settingsFor(
    em: EntityManager | undefined,
    merchantIds: readonly string[],
  ): Promise<Map<string, BillingSettings>> {
    const out = new Map<string, BillingSettings>();
    if (merchantIds.length === 0) return out;
    const rows: {
      merchant_id: string;
      retry_days: number[];
      final_action: FinalAction;
      catch_up: CatchUp;
      run_at_local_time: string;
      dispute_action: DisputeAction;
      trial_notice_days: number;
    }[] = await this.m(em).query(
      `SELECT merchant_id, retry_days, final_action, catch_up, run_at_local_time, dispute_action,
              trial_notice_days
         FROM merchant_billing_settings WHERE merchant_id = ANY($1::text[])`,
      [merchantIds],
    );
    for (const id of merchantIds)
      out.set(id, {
        ...DEFAULT_DUNNING,
        runAt: '02:00',
        disputeAction: DEFAULT_DISPUTE_ACTION,
        trialNoticeDays: DEFAULT_TRIAL_NOTICE_DAYS,
      });
    for (const r of rows) {
      out.set(r.merchant_id, {
        retryDays: r.retry_days,
        finalAction: r.final_action,
        catchUp: r.catch_up,
        runAt: r.run_at_local_time,
        disputeAction: r.dispute_action,
        trialNoticeDays: r.trial_notice_days,
      });
    }
    return out;
  }

  async saveSettings(merchantId: string, s: BillingSettings): Promise<void> {
    await this.m().query(
      `INSERT INTO merchant_billing_settings (merchant_id, retry_days, final_action, catch_up, run_at_local_time, updated_at, dispute_action, trial_notice_days)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (merchant_id) DO UPDATE SET retry_days = $2, final_action = $3, catch_up = $4, run_at_local_time = $5, updated_at = $6,
         dispute_action = $7, trial_notice_days = $8`,
      [
        merchantId,
        s.retryDays,
        s.finalAction,
        s.catchUp,
        s.runAt,
        this.clock.now(),
        s.disputeAction,
        s.trialNoticeDays,
      ],
    );
  }

  /** Merchants' run times, for the scheduler. */
  async runTimes(merchantIds: readonly string[]): Promise<Map<string, string>> {
    const settings = await this.settingsFor(undefined, merchantIds);
    return new Map([...settings].map(([id, s]) => [id, s.runAt]));
  }

  // ------------------------------------------------------------------ runs

  async insertRun(run: {
    id: string;
    merchantId: string | null;
    asOf: LocalDate;
    dryRun: boolean;
    triggeredBy: string;
    summary: BillingRunSummary;
    startedAt: Date;
  }): Promise<void> {
    await this.m().query(
      `INSERT INTO billing_runs (id, merchant_id, as_of, dry_run, status, triggered_by, summary, started_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $7)`,
      [run.id, run.merchantId, run.asOf, run.dryRun, run.triggeredBy, run.summary, run.startedAt],
    );
  }

  /** The run's progress so far; in the caller's transaction when given (phase 3 of a batch). */
  async recordProgress(
    em: EntityManager | undefined,
    runId: string,
    summary: BillingRunSummary,
  ): Promise<void> {
    await this.m(em).query(
      `UPDATE billing_runs SET summary = $2, heartbeat_at = $3 WHERE id = $1 AND status = 'running'`,
      [runId, summary, this.clock.now()],
    );
  }

  async finishRun(
    runId: string,
    status: BillingRunStatus,
    summary: BillingRunSummary,
    error: string | null,
  ): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const [rows]: [Record<string, unknown>[], number] = await em.query(
        `UPDATE billing_runs SET status = $2, summary = $3, error = $4, finished_at = $5, heartbeat_at = $5
          WHERE id = $1 RETURNING *`,
        [runId, status, summary, error, this.clock.now()],
      );
      const run = rows[0];
      // A merchant's completed run is announced to it (docs/webhooks.md) with the run's
      // closing; a dry run changed nothing, and a run across all merchants (the CLI without
      // --merchant) belongs to none.
      if (run && status === 'completed' && !run.dry_run && typeof run.merchant_id === 'string') {
        await this.eventLog.record(em, [
          {
            merchantId: run.merchant_id,
            type: 'billing_run.completed',
            objectType: 'billing_run',
            objectId: runId,
            data: runView(run),
          },
        ]);
      }
    });
  }

  async runningRuns(): Promise<{ id: string; summary: BillingRunSummary }[]> {
    return this.m().query(`SELECT id, summary FROM billing_runs WHERE status = 'running'`);
  }

  /** What a run's attempts show it did: the summary of a run that could not write its own. */
  async summaryFromAttempts(
    runId: string,
  ): Promise<Omit<BillingRunSummary, 'completed' | 'errors'>> {
    const [r]: Record<string, string>[] = await this.m().query(
      `SELECT count(DISTINCT subscription_id) AS subscriptions,
              count(*) FILTER (WHERE state = 'approved') AS charged,
              count(*) FILTER (WHERE state = 'declined') AS declined,
              count(*) FILTER (WHERE attempt > 1 AND state IN ('approved', 'declined')) AS retried,
              count(*) FILTER (WHERE state IN ('started', 'unknown')) AS unknown,
              coalesce(sum(amount) FILTER (WHERE state = 'approved'), 0) AS amount_charged,
              coalesce(sum(amount) FILTER (WHERE state = 'declined'), 0) AS amount_declined
         FROM charge_attempts WHERE run_id = $1`,
      [runId],
    );
    return {
      subscriptions: Number(r.subscriptions),
      charged: Number(r.charged),
      declined: Number(r.declined),
      retried: Number(r.retried),
      unknown: Number(r.unknown),
      amount_charged: Number(r.amount_charged),
      amount_declined: Number(r.amount_declined),
    };
  }

  async markAbandoned(runId: string, summary: BillingRunSummary): Promise<void> {
    await this.m().query(
      `UPDATE billing_runs SET status = 'abandoned', summary = $2, finished_at = $3,
              error = 'the process running it stopped before it finished'
        WHERE id = $1 AND status = 'running'`,
      [runId, summary, this.clock.now()],
    );
  }

  async getRun(merchantId: string | null, runId: string): Promise<BillingRunRecord> {
    const rows = await this.m().query(
      `SELECT * FROM billing_runs WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2)`,
      [runId, merchantId],
    );
    if (rows.length === 0) throw new NotFoundError('billing run', runId);
    return runView(rows[0]);
  }

  async listRuns(
    merchantId: string,
    limit: number,
    offset: number,
  ): Promise<{ runs: BillingRunRecord[]; total: number }> {
    const rows = await this.m().query(
      `SELECT *, count(*) OVER () AS total FROM billing_runs WHERE merchant_id = $1
        ORDER BY started_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [merchantId, limit, offset],
    );
    const total = rows.length > 0 ? Number(rows[0].total) : 0;
    return { runs: rows.map(runView), total };
  }

  /** Whether the scheduler already ran this merchant's billing for this local date. */
  async scheduledRunExists(merchantId: string, asOf: LocalDate): Promise<boolean> {
    const rows: unknown[] = await this.m().query(
      `SELECT 1 FROM billing_runs WHERE merchant_id = $1 AND as_of = $2 AND triggered_by = 'scheduler' AND NOT dry_run LIMIT 1`,
      [merchantId, asOf],
    );
    return rows.length > 0;
  }
}

/** pg returns `date` columns as strings (the type parser in data-source-options). */
function toLocalDate(value: unknown): LocalDate {
  if (typeof value === 'string') return value.slice(0, 10);
  throw new Error(`unexpected date value ${String(value)}`);
}

function attemptFrom(r: Record<string, any>): AttemptRow {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    subscriptionId: r.subscription_id,
    cycleId: r.cycle_id,
    billDate: toLocalDate(r.bill_date),
    attempt: r.attempt,
    idempotencyKey: r.idempotency_key,
    orderId: r.order_id,
    processorId: r.processor_id,
    amount: Number(r.amount),
    state: r.state,
    initiatedBy: r.initiated_by,
    storedCredential: r.stored_credential,
    paymentMethodId: r.payment_method_id,
    runId: r.run_id,
    createdAt: new Date(r.created_at),
  };
}

function cycleFrom(r: Record<string, any>): CycleRow {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    subscriptionId: r.subscription_id,
    billDate: toLocalDate(r.bill_date),
    billingNumber: r.billing_number,
    amount: Number(r.amount),
    currency: r.currency,
    invoiceId: r.invoice_id,
    status: r.status,
    attempts: r.attempts,
    nextRetryDate: r.next_retry_date === null ? null : toLocalDate(r.next_retry_date),
  };
}

function runView(row: Record<string, any>): BillingRunRecord {
  return {
    id: row.id,
    merchant_id: row.merchant_id,
    as_of: toLocalDate(row.as_of),
    dry_run: row.dry_run,
    status: row.status,
    triggered_by: row.triggered_by,
    summary: row.summary,
    error: row.error,
    started_at: new Date(row.started_at).toISOString(),
    finished_at: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}
