import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { calculateAmounts, parseCalculateAmountsRequest } from '../../billing-calc';
import { billDatesThrough, LocalDate } from '../../billing-calc/calendar';
import { recurringChargeFields, StoredCredentialFields } from '../../gateway/cit-mit';
import type { ChargeOutcome } from '../../gateway/gateway';
import { GatewayFactory } from '../../gateway/gateway.factory';
import {
  RecurringChargeInput,
  RecurringChargesService,
} from '../../gateway/stored-credentials/recurring-charges.service';
import { VaultService } from '../../gateway/vault/vault.service';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { NotFoundError } from '../../platform/errors/errors';
import { newId } from '../../platform/ids/ids';
import { billingChargesTotal } from '../../platform/metrics/metrics';
import { Processor } from '../../processors/processor.entity';
import { ProcessorsService, toProcessorSettings } from '../../processors/processors.service';
import { Subscription } from '../subscription.entity';
import { storedSchedule } from '../subscription-schedule';
import { SubscriptionsService } from '../subscriptions.service';
import { BillingSettingsService } from './billing-settings.service';
import {
  BillingRunOptions,
  BillingRunRecord,
  BillingRunSummary,
  emptySummary,
} from './billing-run.types';
import { CycleInvoicing, CYCLE_INVOICING } from './cycle-invoicing';
import { afterDecline } from './dunning-policy';

interface AttemptRow {
  id: string;
  merchant_id: string;
  subscription_id: string;
  cycle_id: string;
  bill_date: LocalDate;
  attempt: number;
  idempotency_key: string;
  order_id: string;
  processor_id: string;
  amount: number;
  state: 'started' | 'approved' | 'declined' | 'unknown';
  initiated_by: string;
  stored_credential: StoredCredentialFields | null;
  payment_method_id: string | null;
  created_at: Date;
}

interface CycleRow {
  id: string;
  subscription_id: string;
  bill_date: LocalDate;
  billing_number: number;
  amount: number;
  invoice_id: string | null;
  status: 'open' | 'paid' | 'failed' | 'void';
  attempts: number;
  next_retry_date: LocalDate | null;
}

/** The charge to send, decided and recorded in phase 1. */
interface ChargeStep {
  kind: 'charge' | 'resolve';
  attempt: AttemptRow;
  input: RecurringChargeInput;
  processor: Processor;
  storedCredential: StoredCredentialFields;
  paymentMethodId: string | null;
}

type Step =
  | ChargeStep
  | { kind: 'done' }
  /** Still due, but not billable now: left for a later run (and not claimed again by this one). */
  | { kind: 'stuck' }
  | { kind: 'no_payment_method'; attempt: AttemptRow };

const ADVISORY_NAMESPACE = 'rebill:billing:';

/**
 * The billing run: bills every due subscription once per cycle, through its processor's
 * gateway, with merchant-initiated indicators (docs/billing-run.md).
 *
 * Each charge goes through three atomic phases, so a crash anywhere leaves a state the next
 * run finishes without charging twice:
 *   1. one transaction decides the cycle, creates its invoice and records a `started`
 *      charge attempt (unique per subscription, bill date and attempt number) whose
 *      idempotency key is derived from it;
 *   2. the gateway is called with that key (outside any transaction);
 *   3. one transaction records the outcome and moves the subscription on.
 * An attempt left `started` (crash in phase 2) or `unknown` (timeout) is resolved first, by
 * asking the gateway for that key, and only re-sent under the same key if the gateway never
 * saw it.
 */
@Injectable()
export class BillingRunService {
  private readonly logger = new Logger(BillingRunService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionsService,
    private readonly processors: ProcessorsService,
    private readonly gateways: GatewayFactory,
    private readonly vault: VaultService,
    private readonly recurring: RecurringChargesService,
    private readonly settings: BillingSettingsService,
    @Inject(CYCLE_INVOICING) private readonly invoicing: CycleInvoicing,
  ) {}

  async run(options: BillingRunOptions): Promise<BillingRunRecord> {
    const runId = newId();
    const startedAt = this.clock.now();
    await this.dataSource.query(
      `INSERT INTO billing_runs (id, merchant_id, as_of, dry_run, status, triggered_by, summary, started_at)
       VALUES ($1, $2, $3, $4, 'running', $5, $6, $7)`,
      [
        runId,
        options.merchantId ?? null,
        options.asOf,
        options.dryRun === true,
        options.triggeredBy,
        emptySummary(),
        startedAt,
      ],
    );
    const summary = emptySummary();
    let error: string | null = null;
    try {
      if (options.dryRun) {
        await this.preview(options, summary);
      } else {
        // Each worker holds two connections (its claim session and a phase transaction).
        const workers = Math.max(
          1,
          Math.min(options.workers ?? 1, 16, Math.floor((poolSize() - 2) / 2)),
        );
        // Subscriptions left unfinished in this run (an unknown outcome, an error) are not
        // claimed again by it: the next run takes them up.
        const deferred = new Set<string>();
        await Promise.all(
          Array.from({ length: workers }, () => this.work(runId, options, summary, deferred)),
        );
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.logger.error({ err, runId }, 'billing run failed');
    }
    await this.dataSource.query(
      `UPDATE billing_runs SET status = $2, summary = $3, error = $4, finished_at = $5 WHERE id = $1`,
      [runId, error ? 'failed' : 'completed', summary, error, this.clock.now()],
    );
    return this.getRun(options.merchantId ?? null, runId);
  }

  async getRun(merchantId: string | null, runId: string): Promise<BillingRunRecord> {
    const rows = await this.dataSource.query(
      `SELECT * FROM billing_runs WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2)`,
      [runId, merchantId],
    );
    return runView(rows[0]);
  }

  async findRun(merchantId: string, runId: string): Promise<BillingRunRecord> {
    const rows = await this.dataSource.query(
      `SELECT * FROM billing_runs WHERE id = $1 AND merchant_id = $2`,
      [runId, merchantId],
    );
    if (rows.length === 0) throw new NotFoundError('billing run', runId);
    return runView(rows[0]);
  }

  async billingsOf(merchantId: string, subscriptionId: string) {
    const sub: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM subscriptions WHERE id = $1 AND merchant_id = $2 AND deleted_at IS NULL`,
      [subscriptionId, merchantId],
    );
    if (sub.length === 0) throw new NotFoundError('subscription', subscriptionId);
    const cycles: Record<string, any>[] = await this.dataSource.query(
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

  async listRuns(
    merchantId: string,
    limit: number,
    offset: number,
  ): Promise<{ runs: BillingRunRecord[]; total: number }> {
    const rows = await this.dataSource.query(
      `SELECT *, count(*) OVER () AS total FROM billing_runs WHERE merchant_id = $1
        ORDER BY started_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [merchantId, limit, offset],
    );
    const total = rows.length > 0 ? Number(rows[0].total) : 0;
    return { runs: rows.map(runView), total };
  }

  // ------------------------------------------------------------------ workers

  /** One worker: claims batches with FOR UPDATE SKIP LOCKED and bills each subscription. */
  private async work(
    runId: string,
    options: BillingRunOptions,
    summary: BillingRunSummary,
    deferred: Set<string>,
  ): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      for (;;) {
        const claimed = await this.claimBatch(runner, options, [...deferred]);
        if (claimed.length === 0) return;
        for (const subscriptionId of claimed) {
          try {
            const finished = await this.billSubscription(
              subscriptionId,
              options.asOf,
              runId,
              summary,
            );
            if (!finished) deferred.add(subscriptionId);
          } catch (err) {
            deferred.add(subscriptionId);
            summary.errors++;
            this.logger.error({ err, subscriptionId, runId }, 'billing a subscription failed');
          } finally {
            await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
              ADVISORY_NAMESPACE + subscriptionId,
            ]);
          }
          summary.subscriptions++;
          options.onProgress?.(summary);
        }
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Claims up to a batch of due subscriptions: rows locked by another worker's claim are
   * skipped, and each claimed one is held by a session advisory lock on this worker's own
   * connection until it is billed. If the process dies, its connection closes and the locks
   * go with it, so another worker can pick the subscriptions up at once.
   */
  private async claimBatch(
    runner: QueryRunner,
    options: BillingRunOptions,
    deferred: string[],
  ): Promise<string[]> {
    await runner.startTransaction();
    try {
      const candidates: { id: string }[] = await runner.query(
        `SELECT s.id FROM subscriptions s
          WHERE s.deleted_at IS NULL
            AND ($2::text IS NULL OR s.merchant_id = $2)
            AND (
              (s.status = 'active' AND s.next_bill_date <= $1)
              OR (s.status IN ('active', 'past_due') AND EXISTS (
                    SELECT 1 FROM billing_cycles c
                     WHERE c.subscription_id = s.id AND c.status = 'open' AND c.next_retry_date <= $1))
              OR EXISTS (SELECT 1 FROM charge_attempts a
                          WHERE a.subscription_id = s.id AND a.state IN ('started', 'unknown'))
            )
            AND s.id <> ALL($4::text[])
          ORDER BY s.id
          LIMIT $3
          FOR UPDATE OF s SKIP LOCKED`,
        [options.asOf, options.merchantId ?? null, options.batchSize ?? 50, deferred],
      );
      const claimed: string[] = [];
      for (const { id } of candidates) {
        const [{ locked }] = await runner.query(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
          [ADVISORY_NAMESPACE + id],
        );
        if (locked) claimed.push(id);
      }
      await runner.commitTransaction();
      return claimed;
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    }
  }

  /** Bills every cycle of one subscription due by `asOf`, oldest first. */
  private async billSubscription(
    subscriptionId: string,
    asOf: LocalDate,
    runId: string,
    summary: BillingRunSummary,
  ): Promise<boolean> {
    // Bounded: a daily subscription years behind is billed over several runs, not one loop.
    for (let i = 0; i < 400; i++) {
      const step = await this.dataSource.transaction((em) =>
        this.decideNextCharge(em, subscriptionId, asOf, runId),
      );
      if (step.kind === 'done') return true;
      if (step.kind === 'stuck') return false;
      if (step.kind === 'no_payment_method') {
        await this.dataSource.transaction((em) =>
          this.recordOutcome(
            em,
            step.attempt,
            noPaymentMethodOutcome(step.attempt.amount),
            null,
            summary,
          ),
        );
        continue;
      }
      const outcome = await this.sendOrResolve(step);
      const settled = await this.dataSource.transaction((em) =>
        this.recordOutcome(em, step.attempt, outcome, step, summary),
      );
      if (!settled) return false; // unknown: leave it for the next run
    }
    return false;
  }

  // ------------------------------------------------------------------ phase 1

  private async decideNextCharge(
    em: EntityManager,
    subscriptionId: string,
    asOf: LocalDate,
    runId: string,
  ): Promise<Step> {
    const sub = await em.getRepository(Subscription).findOne({
      where: { id: subscriptionId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!sub || sub.deletedAt) return { kind: 'done' };

    // An attempt that never got its outcome recorded is finished before anything else.
    const unsettled: AttemptRow[] = await em.query(
      `SELECT * FROM charge_attempts WHERE subscription_id = $1 AND state IN ('started', 'unknown')
        ORDER BY created_at, attempt LIMIT 1`,
      [sub.id],
    );
    if (unsettled.length > 0) {
      const attempt = normaliseAttempt(unsettled[0]);
      return this.chargeStep(em, sub, attempt, 'resolve');
    }
    if (sub.status !== 'active' && sub.status !== 'past_due') return { kind: 'done' };

    const settings = await this.settings.forMerchant(sub.merchantId, em);

    // A retry that is due.
    const retry: CycleRow[] = await em.query(
      // A cycle whose invoice the customer is paying right now (hosted page) is left alone.
      `SELECT * FROM billing_cycles c WHERE c.subscription_id = $1 AND c.status = 'open' AND c.next_retry_date <= $2
          AND NOT EXISTS (SELECT 1 FROM invoice_payments p
                           WHERE p.invoice_id = c.invoice_id AND p.status IN ('pending', 'unknown'))
        ORDER BY c.bill_date LIMIT 1 FOR UPDATE OF c`,
      [sub.id, asOf],
    );
    if (retry.length > 0) {
      const cycle = normaliseCycle(retry[0]);
      const attempt = await this.insertAttempt(em, sub, cycle, cycle.attempts + 1, runId);
      return this.chargeStep(em, sub, attempt, 'charge');
    }

    if (sub.status !== 'active' || sub.nextBillDate > asOf) return { kind: 'done' };

    if (settings.catchUp === 'latest') {
      const due = billDatesThrough(storedSchedule(sub), sub.nextBillDate, asOf);
      const latest = due[due.length - 1];
      if (latest !== undefined && latest !== sub.nextBillDate) {
        await em.query(
          `UPDATE subscriptions SET next_bill_date = $2, updated_at = $3 WHERE id = $1`,
          [sub.id, latest, this.clock.now()],
        );
        await em
          .query(
            `INSERT INTO subscription_events (id, merchant_id, subscription_id, type, from_status, to_status, actor, detail, created_at)
           VALUES ($1, $2, $3, 'updated', $4, $4, 'billing_run', $5, $6)`,
            [
              newId(),
              sub.merchantId,
              sub.id,
              sub.status,
              { skipped_bill_dates: due.slice(0, -1), reason: 'catch_up: latest' },
              this.clock.now(),
            ],
          )
          .catch(() => undefined);
        sub.nextBillDate = latest;
      }
    }

    const { charge, processor, total } = await this.nextCycleAmount(em, sub);
    const cycleId = newId();
    const inserted: { id: string }[] = await em.query(
      `INSERT INTO billing_cycles
         (id, merchant_id, subscription_id, bill_date, billing_number, amount, currency, lines, status, attempts, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', 0, $9, $9)
       ON CONFLICT (subscription_id, bill_date) DO NOTHING RETURNING id`,
      [
        cycleId,
        sub.merchantId,
        sub.id,
        sub.nextBillDate,
        sub.billingCount + 1,
        total,
        sub.currency,
        JSON.stringify(charge.lines),
        this.clock.now(),
      ],
    );
    if (inserted.length === 0) {
      // The cycle exists but the subscription was not moved on: only possible if someone
      // rewound next_bill_date by hand. Never bill a date twice.
      this.logger.warn(
        { subscriptionId: sub.id, billDate: sub.nextBillDate },
        'cycle already billed; skipping',
      );
      return { kind: 'stuck' };
    }
    const cycle: CycleRow = {
      id: cycleId,
      subscription_id: sub.id,
      bill_date: sub.nextBillDate,
      billing_number: sub.billingCount + 1,
      amount: total,
      invoice_id: null,
      status: 'open',
      attempts: 0,
      next_retry_date: null,
    };
    const { invoiceId } = await this.invoicing.createCycleInvoice(em, {
      merchantId: sub.merchantId,
      subscriptionId: sub.id,
      customerId: sub.customerId,
      billDate: sub.nextBillDate,
      billingNumber: cycle.billing_number,
      currency: sub.currency,
      lines: charge.lines,
      total,
      processorId: processor.id,
    });
    await em.query(`UPDATE billing_cycles SET invoice_id = $2 WHERE id = $1`, [cycleId, invoiceId]);
    cycle.invoice_id = invoiceId;
    const attempt = await this.insertAttempt(em, sub, cycle, 1, runId, processor);
    return this.chargeStep(em, sub, attempt, 'charge', processor);
  }

  /** The next cycle's lines, its processor, and its total with the fee program applied. */
  private async nextCycleAmount(em: EntityManager, sub: Subscription) {
    const charge = await this.subscriptions.chargeForNextBilling(em, sub.id);
    const processor = await this.processors.resolve(sub.merchantId, sub.processorId, em);
    const method = await this.vault.findPaymentMethod(
      sub.merchantId,
      sub.customerId,
      sub.paymentMethodId,
      sub.paymentMethodType,
      em,
    );
    const total = method
      ? await this.withFeeProgram(em, sub, processor, charge.total, method)
      : charge.total;
    return { charge, processor, total };
  }

  /** The cycle's amount with the processor's fee program for the customer's payment method. */
  private async withFeeProgram(
    em: EntityManager,
    sub: Subscription,
    processor: Processor,
    amount: number,
    method: { type: 'card' | 'ach'; maskedNumber: string; flags: string[] },
  ): Promise<number> {
    if (processor.feeProgram === 'none' || amount === 0) return amount;
    const customer = await this.vault.findCustomer(sub.merchantId, sub.customerId, { em });
    const bin = method.type === 'card' ? method.maskedNumber.slice(0, 6) : undefined;
    const request = parseCalculateAmountsRequest({
      amount,
      currency: sub.currency,
      payment_method: method.type,
      transaction_type: 'sale',
      ...(bin && /^\d{6}$/.test(bin) ? { cc_bin: bin } : {}),
      // Renewals carry only the fee program: tax and service fees are part of the price.
      flags: { tax_exempt: true, skip_service_fee: true },
    });
    const result = calculateAmounts(request, toProcessorSettings(processor), {
      customerFlags: { surcharge_exempt: customer?.flags.includes('surcharge_exempt') ?? false },
      paymentMethodFlags: { surcharge_exempt: method.flags.includes('surcharge_exempt') },
    });
    return result.total;
  }

  /**
   * Records a charge attempt before the gateway hears of it, with everything needed to send
   * it again unchanged: the idempotency key, order id, amount, payment method and CIT/MIT
   * fields.
   */
  private async insertAttempt(
    em: EntityManager,
    sub: Subscription,
    cycle: CycleRow,
    attemptNumber: number,
    runId: string,
    knownProcessor?: Processor,
  ): Promise<AttemptRow> {
    const id = newId();
    const now = this.clock.now();
    const processor =
      knownProcessor ?? (await this.processors.resolve(sub.merchantId, sub.processorId, em));
    const method = await this.vault.findPaymentMethod(
      sub.merchantId,
      sub.customerId,
      sub.paymentMethodId,
      sub.paymentMethodType,
      em,
    );
    // Read in this transaction: a second pool connection per worker could starve the pool.
    const stored: { initial_transaction_id: string }[] = method
      ? await em.query(
          `SELECT initial_transaction_id FROM gateway_stored_credentials
            WHERE merchant_id = $1 AND processor_id = $2 AND customer_id = $3 AND payment_method_id = $4`,
          [sub.merchantId, processor.id, sub.customerId, method.id],
        )
      : [];
    const storedCredential = method
      ? recurringChargeFields(stored[0]?.initial_transaction_id ?? null)
      : null;
    const attempt: AttemptRow = {
      id,
      merchant_id: sub.merchantId,
      subscription_id: sub.id,
      cycle_id: cycle.id,
      bill_date: cycle.bill_date,
      attempt: attemptNumber,
      // Derived from the attempt: the same attempt always sends the same key.
      idempotency_key: `rebill-${sub.id}-${cycle.bill_date}-${attemptNumber}`,
      order_id: `rb${id.slice(0, 15)}`,
      processor_id: processor.id,
      amount: cycle.amount,
      state: 'started',
      initiated_by: storedCredential?.initiated_by ?? 'merchant',
      stored_credential: storedCredential,
      payment_method_id: method?.id ?? null,
      created_at: now,
    };
    await em.query(
      `INSERT INTO charge_attempts
         (id, merchant_id, subscription_id, cycle_id, bill_date, attempt, idempotency_key, order_id, processor_id,
          amount, state, recovery_point, initiated_by, stored_credential, payment_method_id, run_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'started', 'attempt_recorded', $11, $12, $13, $14, $15, $15)`,
      [
        id,
        sub.merchantId,
        sub.id,
        cycle.id,
        cycle.bill_date,
        attemptNumber,
        attempt.idempotency_key,
        attempt.order_id,
        processor.id,
        cycle.amount,
        attempt.initiated_by,
        storedCredential === null ? null : JSON.stringify(storedCredential),
        attempt.payment_method_id,
        runId,
        now,
      ],
    );
    await em.query(
      `UPDATE billing_cycles SET attempts = $2, next_retry_date = NULL, updated_at = $3 WHERE id = $1`,
      [cycle.id, attemptNumber, now],
    );
    return attempt;
  }

  /** The charge exactly as the attempt recorded it. */
  private async chargeStep(
    em: EntityManager,
    sub: Subscription,
    attempt: AttemptRow,
    kind: 'charge' | 'resolve',
    knownProcessor?: Processor,
  ): Promise<Step> {
    if (attempt.payment_method_id === null || attempt.stored_credential === null) {
      return { kind: 'no_payment_method', attempt };
    }
    const processor =
      knownProcessor ?? (await this.processors.resolve(sub.merchantId, attempt.processor_id, em));
    return {
      kind,
      attempt,
      processor,
      storedCredential: attempt.stored_credential,
      paymentMethodId: attempt.payment_method_id,
      input: {
        merchantId: sub.merchantId,
        customerId: sub.customerId,
        paymentMethodId: attempt.payment_method_id,
        amount: attempt.amount,
        idempotencyKey: attempt.idempotency_key,
        orderId: attempt.order_id,
        description: `Subscription ${sub.id}, billing of ${attempt.bill_date}`,
      },
    };
  }

  // ------------------------------------------------------------------ phase 2

  private async sendOrResolve(step: ChargeStep): Promise<ChargeOutcome> {
    const gateway = this.gateways.forProcessor(step.processor);
    if (step.kind === 'resolve') {
      const found = await this.recurring.resolve(
        gateway,
        step.input,
        step.storedCredential,
        step.attempt.created_at,
      );
      if (found.kind === 'found') return found.outcome;
      if (found.kind === 'unresolved') return unknownOutcome(step.attempt.amount, found.reason);
      // The gateway never saw it: send it now, under the same key.
    }
    const { outcome } = await this.recurring.charge(gateway, step.input, step.storedCredential);
    return outcome;
  }

  // ------------------------------------------------------------------ phase 3

  /** Records a charge's outcome and moves the subscription on. False when the outcome is unknown. */
  private async recordOutcome(
    em: EntityManager,
    attempt: AttemptRow,
    outcome: ChargeOutcome,
    step: ChargeStep | null,
    summary: BillingRunSummary,
  ): Promise<boolean> {
    const sub = await em.getRepository(Subscription).findOne({
      where: { id: attempt.subscription_id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!sub) return false;
    const state =
      outcome.kind === 'approved' || outcome.kind === 'partially_approved'
        ? 'approved'
        : outcome.kind === 'declined'
          ? 'declined'
          : 'unknown';
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [updated]: [unknown[], number] = await em.query(
      `UPDATE charge_attempts
          SET state = $2, recovery_point = $3, gateway_transaction_id = $4, response_code = $5,
              decline_kind = $6, message = $7, updated_at = $8
        WHERE id = $1 AND state IN ('started', 'unknown') RETURNING id`,
      [
        attempt.id,
        state,
        state === 'unknown' ? 'attempt_recorded' : 'outcome_recorded',
        outcome.transactionId,
        outcome.responseCode,
        outcome.declineKind,
        outcome.message,
        this.clock.now(),
      ],
    );
    if (updated.length === 0) return true; // recorded by someone else meanwhile
    billingChargesTotal.labels(state).inc();
    if (state === 'unknown') {
      summary.unknown++;
      return false;
    }
    const [cycleRow]: CycleRow[] = await em.query(
      `SELECT * FROM billing_cycles WHERE id = $1 FOR UPDATE`,
      [attempt.cycle_id],
    );
    const cycle = normaliseCycle(cycleRow);
    const regularBilling = attempt.attempt === 1 && sub.nextBillDate === cycle.bill_date;
    if (attempt.attempt > 1) summary.retried++;

    if (state === 'approved') {
      summary.charged++;
      summary.amount_charged += outcome.amountApproved;
      await em.query(
        `UPDATE billing_cycles SET status = 'paid', paid_transaction_id = $2, next_retry_date = NULL, updated_at = $3 WHERE id = $1`,
        [cycle.id, outcome.transactionId, this.clock.now()],
      );
      if (cycle.invoice_id && outcome.transactionId) {
        await this.invoicing.recordCyclePayment(
          em,
          cycle.invoice_id,
          outcome.transactionId,
          outcome.amountApproved,
        );
      }
      if (
        step &&
        step.paymentMethodId &&
        step.storedCredential.initiated_by === 'customer' &&
        outcome.transactionId
      ) {
        await em.query(
          `INSERT INTO gateway_stored_credentials (merchant_id, processor_id, customer_id, payment_method_id, initial_transaction_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [
            sub.merchantId,
            step.processor.id,
            sub.customerId,
            step.paymentMethodId,
            outcome.transactionId,
            this.clock.now(),
          ],
        );
      }
      if (regularBilling) {
        const recorded = await this.subscriptions.recordBilling(
          em,
          sub.id,
          cycle.bill_date,
          'billing_run',
        );
        if (recorded.completed) summary.completed++;
      } else if (sub.status === 'past_due') {
        const stillOpen: unknown[] = await em.query(
          `SELECT 1 FROM billing_cycles WHERE subscription_id = $1 AND status = 'open' AND id <> $2 LIMIT 1`,
          [sub.id, cycle.id],
        );
        if (stillOpen.length === 0) {
          await this.subscriptions.reactivateAfterPayment(em, sub.id, 'billing_run', {
            reason: `retry ${attempt.attempt} of the ${cycle.bill_date} billing succeeded`,
          });
        }
      }
      return true;
    }

    // Declined.
    summary.declined++;
    summary.amount_declined += attempt.amount;
    const settings = await this.settings.forMerchant(sub.merchantId, em);
    const decision = afterDecline(
      settings,
      cycle.bill_date,
      attempt.attempt,
      outcome.declineKind ?? 'soft',
    );
    let live = sub.status === 'active' || sub.status === 'past_due';
    if (regularBilling) {
      // The cycle is billed (invoiced) whatever the outcome: the anchor moves on.
      const recorded = await this.subscriptions.recordBilling(
        em,
        sub.id,
        cycle.bill_date,
        'billing_run',
      );
      if (recorded.completed) {
        summary.completed++;
        live = false;
      }
    }
    if (decision.kind === 'retry') {
      await em.query(
        `UPDATE billing_cycles SET next_retry_date = $2, updated_at = $3 WHERE id = $1`,
        [cycle.id, decision.retryOn, this.clock.now()],
      );
      if (live && sub.status === 'active') {
        await this.subscriptions.changeStatus(em, sub.id, 'past_due', 'billing_run', {
          reason: `${outcome.message} (code ${outcome.responseCode}); retry on ${decision.retryOn}`,
        });
      }
    } else {
      await em.query(
        `UPDATE billing_cycles SET status = 'failed', next_retry_date = NULL, updated_at = $2 WHERE id = $1`,
        [cycle.id, this.clock.now()],
      );
      if (live) {
        const target =
          decision.action === 'cancel'
            ? 'cancelled'
            : decision.action === 'pause'
              ? 'paused'
              : 'past_due';
        const current = (await em.getRepository(Subscription).findOneByOrFail({ id: sub.id }))
          .status;
        if (current !== target) {
          await this.subscriptions.changeStatus(em, sub.id, target, 'billing_run', {
            reason: `${decision.reason}: ${outcome.message} (code ${outcome.responseCode})`,
          });
        }
      }
    }
    if (cycle.invoice_id) {
      await this.invoicing.notifyCycleFailed(em, cycle.invoice_id, {
        message: outcome.message,
        retryOn: decision.kind === 'retry' ? decision.retryOn : null,
      });
    }
    return true;
  }

  // ------------------------------------------------------------------ dry run

  /** What a run would charge, computed without writing anything. */
  private async preview(options: BillingRunOptions, summary: BillingRunSummary): Promise<void> {
    summary.would_charge = [];
    const due: Subscription[] = await this.dataSource.getRepository(Subscription).query(
      `SELECT id FROM subscriptions s
        WHERE s.deleted_at IS NULL AND ($2::text IS NULL OR s.merchant_id = $2)
          AND ((s.status = 'active' AND s.next_bill_date <= $1)
            OR (s.status IN ('active', 'past_due') AND EXISTS (
                  SELECT 1 FROM billing_cycles c WHERE c.subscription_id = s.id AND c.status = 'open' AND c.next_retry_date <= $1)))
        ORDER BY s.id`,
      [options.asOf, options.merchantId ?? null],
    );
    for (const { id } of due) {
      await this.dataSource.manager.transaction(async (em) => {
        const sub = await em.getRepository(Subscription).findOneByOrFail({ id });
        const retries: CycleRow[] = await em.query(
          `SELECT * FROM billing_cycles WHERE subscription_id = $1 AND status = 'open' AND next_retry_date <= $2 ORDER BY bill_date`,
          [id, options.asOf],
        );
        for (const r of retries.map(normaliseCycle)) {
          summary.would_charge!.push({
            subscription_id: id,
            bill_date: r.bill_date,
            amount: r.amount,
            attempt: r.attempts + 1,
          });
        }
        if (sub.status === 'active' && sub.nextBillDate <= options.asOf) {
          const { total } = await this.nextCycleAmount(em, sub);
          summary.would_charge!.push({
            subscription_id: id,
            bill_date: sub.nextBillDate,
            amount: total,
            attempt: 1,
          });
        }
      });
      summary.subscriptions++;
    }
  }
}

function poolSize(): number {
  return Number(process.env.DATABASE_POOL_SIZE ?? 20);
}

function normaliseAttempt(row: AttemptRow & { amount: unknown; bill_date: unknown }): AttemptRow {
  return { ...row, amount: Number(row.amount), bill_date: toLocalDate(row.bill_date) };
}

function normaliseCycle(
  row: CycleRow & { amount: unknown; bill_date: unknown; next_retry_date: unknown },
): CycleRow {
  return {
    ...row,
    amount: Number(row.amount),
    bill_date: toLocalDate(row.bill_date),
    next_retry_date: row.next_retry_date === null ? null : toLocalDate(row.next_retry_date),
  };
}

/** pg returns `date` columns as strings with the default type parser set in data-source-options. */
function toLocalDate(value: unknown): LocalDate {
  if (typeof value === 'string') return value.slice(0, 10);
  throw new Error(`unexpected date value ${String(value)}`);
}

function unknownOutcome(amount: number, reason: string): ChargeOutcome {
  return {
    kind: 'unknown',
    transactionId: null,
    responseCode: 0,
    message: `outcome unknown: ${reason}`,
    declineKind: null,
    amountRequested: amount,
    amountApproved: 0,
    status: 'unknown',
    avsResponseCode: null,
    cvvResponseCode: null,
    authCode: null,
    unknownReason: reason,
  };
}

function noPaymentMethodOutcome(amount: number): ChargeOutcome {
  return {
    kind: 'declined',
    transactionId: null,
    responseCode: 0,
    message: 'the customer has no usable payment method in the vault',
    declineKind: 'hard',
    amountRequested: amount,
    amountApproved: 0,
    status: 'declined',
    avsResponseCode: null,
    cvvResponseCode: null,
    authCode: null,
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
