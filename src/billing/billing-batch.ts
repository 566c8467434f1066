import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { applyCredit, renewalAmount, sumCents } from '../billing-calc';
import { creditKey, CustomerCreditsService } from '../credits/customer-credits.service';
import type { LocalDate } from '../billing-calc/calendar';
import { startsRecurringSeries } from '../gateway/cit-mit';
import {
  attemptStateOf,
  ChargeStep,
  notChargedOutcome,
  performCharges,
  unknownOutcome,
} from '../gateway/charges/charge-protocol';
import type { ChargeOutcome, PaymentGateway } from '../gateway/gateway';
import { RecurringPayments } from '../gateway/stored-credentials/recurring-payments';
import { EventLog } from '../events/event-log';
import { CycleInvoices } from '../invoices/cycle-invoices';
import { Clock, CLOCK } from '../platform/clock/clock';
import { newId } from '../platform/ids/ids';
import { billingChargesTotal } from '../platform/metrics/metrics';
import type { Processor } from '../processors/processor.entity';
import { ProcessorsService, toProcessorSettings } from '../processors/processors.service';
import {
  BillingSubscription,
  LedgerChange,
  SubscriptionLedger,
} from '../subscriptions/subscription-ledger';
import { AttemptRow, BillingRepository, CycleUpdate, NewCycle } from './billing.repository';
import type { BillingRunSummary } from './billing-run.types';
import { dueCycles } from './core/due';
import { decideOutcome } from './core/dunning';

/** One charge the batch sends (or resolves), as phase 1 recorded it. */
export interface PlannedCharge {
  attempt: AttemptRow;
  mode: 'send' | 'resolve';
  customerId: string;
  /** Null when the customer has no usable payment method: nothing is sent, a hard decline. */
  processor: Processor | null;
}

export interface BatchPlan {
  charges: PlannedCharge[];
  /** Due but not billable now (a billed date rewound onto, a payment in flight, an error). */
  deferred: string[];
  /** Dry runs: what would be charged. */
  wouldCharge: { subscription_id: string; bill_date: LocalDate; amount: number; attempt: number }[];
}

export interface BatchContext {
  runId: string;
  asOf: LocalDate;
  dryRun: boolean;
}

/**
 * One batch of the billing run in three phases (docs/billing-run.md):
 *   1. `decide`: one transaction decides and records the whole batch — cycles, invoices and
 *      'started' attempts — with set-based statements, a constant number whatever its size;
 *   2. `charge`: the charges go out concurrently, a bounded number in flight, under each
 *      attempt's idempotency key, outside any transaction (the shared charge protocol);
 *   3. `record`: one transaction records every outcome, set-based, and moves cycles,
 *      subscriptions and invoices on through the dunning state machine.
 */
@Injectable()
export class BillingBatch {
  private readonly logger = new Logger(BillingBatch.name);

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly repository: BillingRepository,
    private readonly ledger: SubscriptionLedger,
    private readonly invoices: CycleInvoices,
    private readonly payments: RecurringPayments,
    private readonly processors: ProcessorsService,
    private readonly credits: CustomerCreditsService,
    private readonly eventLog: EventLog,
  ) {}

  // ------------------------------------------------------------------ phase 1

  async decide(em: EntityManager, ids: readonly string[], ctx: BatchContext): Promise<BatchPlan> {
    // The batch's events (invoice.created, the ledger's) are recorded together, last.
    return this.eventLog.deferred(em, () => this.decideAndRecord(em, ids, ctx));
  }

  private async decideAndRecord(
    em: EntityManager,
    ids: readonly string[],
    ctx: BatchContext,
  ): Promise<BatchPlan> {
    const plan: BatchPlan = { charges: [], deferred: [], wouldCharge: [] };
    const subs = await this.ledger.loadForBilling(em, ids, { lock: !ctx.dryRun });
    if (subs.length === 0) return plan;
    const subIds = subs.map((s) => s.id);
    const subOf = new Map(subs.map((s) => [s.id, s]));
    const settings = await this.repository.settingsFor(em, [
      ...new Set(subs.map((s) => s.merchantId)),
    ]);

    // An attempt that never got its outcome recorded is finished before anything else.
    const unsettled = new Map<string, AttemptRow>();
    for (const a of await this.repository.unsettledAttempts(em, subIds)) {
      if (!unsettled.has(a.subscriptionId)) unsettled.set(a.subscriptionId, a);
    }
    const billable = subs.filter(
      (s) =>
        !unsettled.has(s.id) &&
        (s.status === 'active' || s.status === 'past_due' || s.status === 'trialing'),
    );

    // Retries that are due, unless the customer is paying the cycle's invoice right now.
    const retryRows = await this.repository.retryDueCycles(
      em,
      billable.map((s) => s.id),
      ctx.asOf,
    );
    const paying = await this.invoices.paymentsInFlight(
      em,
      retryRows.flatMap((c) => (c.invoiceId ? [c.invoiceId] : [])),
    );
    const retries = new Map<string, (typeof retryRows)[number]>();
    for (const c of retryRows) {
      if (c.invoiceId !== null && paying.has(c.invoiceId)) continue;
      if (!retries.has(c.subscriptionId)) retries.set(c.subscriptionId, c);
    }

    // New cycles: what should have been billed up to the date minus what was.
    const candidates = billable.filter(
      (s) =>
        !retries.has(s.id) &&
        (s.status === 'active' || s.status === 'trialing') &&
        s.nextBillDate <= ctx.asOf,
    );
    const billed = await this.repository.billedDates(
      em,
      candidates.map((s) => ({ subscriptionId: s.id, from: s.nextBillDate })),
      ctx.asOf,
    );
    const toBill: { sub: BillingSubscription; billDate: LocalDate; skipped: LocalDate[] }[] = [];
    for (const sub of candidates) {
      const due = dueCycles({
        schedule: sub.schedule,
        nextBillDate: sub.nextBillDate,
        asOf: ctx.asOf,
        billed: billed.get(sub.id) ?? new Set(),
        catchUp: settings.get(sub.merchantId)!.catchUp,
      });
      if (due.kind === 'bill') toBill.push({ sub, billDate: due.billDate, skipped: due.skipped });
      else if (due.kind === 'blocked') {
        this.logger.warn(
          { subscriptionId: sub.id, billDate: due.billDate },
          'cycle already billed; skipping',
        );
        plan.deferred.push(sub.id);
      }
    }

    const toBillOf = new Map(toBill.map((b) => [b.sub.id, b]));

    // Payment methods, processors and stored credentials of the whole batch.
    const charging = [
      ...[...retries.keys()].map((id) => subOf.get(id)!),
      ...toBill.map((b) => b.sub),
    ];
    const methods = await this.payments.paymentMethods(em, charging);
    const processors = await this.processors.resolveMany(em, [
      ...charging.map((s) => ({ merchantId: s.merchantId, processorId: s.processorId })),
      ...[...unsettled.values()].map((a) => ({
        merchantId: a.merchantId,
        processorId: a.processorId,
      })),
    ]);
    const processorOf = (merchantId: string, processorId: string | null) =>
      processors.get(`${merchantId}|${processorId ?? ''}`) ?? null;
    const chargeable = charging.map((s, i) => ({
      sub: s,
      method: methods[i],
      processor: processorOf(s.merchantId, s.processorId),
    }));
    const credentials = await this.payments.merchantInitiated(
      em,
      chargeable
        .filter((c) => c.method.method !== null && c.processor !== null)
        .map((c) => ({
          merchantId: c.sub.merchantId,
          processorId: c.processor!.id,
          customerId: c.sub.customerId,
          paymentMethodId: c.method.method!.id,
        })),
    );
    // Customer credit is consumed before any card is charged (docs/proration.md, "Credits"):
    // the balances of the batch's new cycles, locked until the batch's decision commits.
    const balances = await this.credits.balancesOf(
      em,
      toBill.map((b) => b.sub),
      { lock: !ctx.dryRun },
    );
    const extras = new Map<
      string,
      { creditApplied: number; pending: BillingSubscription['pendingItems']; processorId: string }
    >();
    const free: { cycleId: string; sub: BillingSubscription; billDate: LocalDate }[] = [];
    let credentialIndex = 0;
    const now = this.clock.now();
    const newCycles: NewCycle[] = [];
    const attempts: AttemptRow[] = [];
    const retryStarts: { cycleId: string; attempts: number }[] = [];
    const plannedFor = new Map<string, { processor: Processor | null; customerId: string }>();
    const skips: LedgerChange[] = [];

    for (const c of chargeable) {
      if (c.processor === null) {
        this.logger.error(
          { subscriptionId: c.sub.id },
          'the subscription’s processor does not exist',
        );
        plan.deferred.push(c.sub.id);
        continue;
      }
      const method = c.method.method;
      const storedCredential =
        method === null || c.processor === null ? null : credentials[credentialIndex++];
      const retry = retries.get(c.sub.id);
      const planned = toBillOf.get(c.sub.id);
      let cycleId: string;
      let billDate: LocalDate;
      let amount: number;
      let attemptNumber: number;
      if (retry) {
        cycleId = retry.id;
        billDate = retry.billDate;
        amount = retry.amount;
        attemptNumber = retry.attempts + 1;
        retryStarts.push({ cycleId, attempts: attemptNumber });
      } else {
        billDate = planned!.billDate;
        if (planned!.skipped.length > 0) {
          skips.push({
            kind: 'skipped',
            subscriptionId: c.sub.id,
            skipped: planned!.skipped,
            to: billDate,
            reason: 'catch_up: latest',
          });
        }
        const pending = c.sub.pendingItems;
        const subtotal = sumCents([c.sub.nextCharge.total, ...pending.map((p) => p.amount)]);
        const key = creditKey(c.sub);
        const credit = applyCredit(subtotal, balances.get(key) ?? 0);
        balances.set(key, (balances.get(key) ?? 0) - credit.creditApplied);
        amount =
          method === null || credit.amountDue === 0
            ? credit.amountDue
            : renewalAmount({
                amount: credit.amountDue,
                currency: c.sub.currency,
                paymentMethod: {
                  kind: method.type,
                  bin: method.type === 'card' ? method.maskedNumber.slice(0, 6) : null,
                  surchargeExempt: method.flags.includes('surcharge_exempt'),
                },
                customerSurchargeExempt: c.method.customerFlags.includes('surcharge_exempt'),
                processor: toProcessorSettings(c.processor),
              });
        cycleId = newId();
        attemptNumber = 1;
        extras.set(cycleId, {
          creditApplied: credit.creditApplied,
          pending,
          processorId: c.processor.id,
        });
        newCycles.push({
          id: cycleId,
          merchantId: c.sub.merchantId,
          subscriptionId: c.sub.id,
          billDate,
          billingNumber: c.sub.billingCount + 1,
          amount,
          currency: c.sub.currency,
          lines: c.sub.nextCharge.lines,
        });
      }
      if (ctx.dryRun) {
        plan.wouldCharge.push({
          subscription_id: c.sub.id,
          bill_date: billDate,
          amount,
          attempt: attemptNumber,
        });
        continue;
      }
      // Nothing left to charge (credit paid it, or a free billing): no charge is sent.
      if (!retry && amount === 0) {
        free.push({ cycleId, sub: c.sub, billDate });
        continue;
      }
      const id = newId();
      attempts.push({
        id,
        merchantId: c.sub.merchantId,
        subscriptionId: c.sub.id,
        cycleId,
        billDate,
        attempt: attemptNumber,
        // Derived from the attempt: the same attempt always sends the same key.
        idempotencyKey: `rebill-${c.sub.id}-${billDate}-${attemptNumber}`,
        orderId: `rb${id.slice(0, 15)}`,
        processorId: c.processor.id,
        amount,
        state: 'started',
        initiatedBy: 'merchant',
        storedCredential,
        paymentMethodId: method?.id ?? null,
        runId: ctx.runId,
        createdAt: now,
      });
      plannedFor.set(c.sub.id, {
        processor: method === null ? null : c.processor,
        customerId: c.sub.customerId,
      });
    }
    if (ctx.dryRun) return plan;

    const attemptOfCycle = new Map(attempts.map((a) => [a.cycleId, a]));

    // Writes: cycles, credit and pending items they take, their invoices, retries, attempts,
    // and last the ledger (skipped dates, cycles paid without a charge).
    const inserted = await this.repository.insertCycles(em, newCycles);
    const created = newCycles.filter((c) => inserted.has(c.id));
    for (const c of newCycles) if (!inserted.has(c.id)) plan.deferred.push(c.subscriptionId);
    await this.credits.consumeMany(
      em,
      created.map((c) => ({
        merchantId: c.merchantId,
        customerId: subOf.get(c.subscriptionId)!.customerId,
        currency: c.currency,
        amount: extras.get(c.id)!.creditApplied,
        sourceType: 'billing_cycle',
        sourceId: c.id,
        description: `Billing ${c.billingNumber} of subscription ${c.subscriptionId}, for ${c.billDate}`,
      })),
    );
    await this.ledger.attachPendingItems(
      em,
      created.map((c) => ({
        cycleId: c.id,
        itemIds: extras.get(c.id)!.pending.map((p) => p.id),
      })),
    );
    const invoiceIds = await this.invoices.create(
      em,
      created.map((c) => ({
        merchantId: c.merchantId,
        subscriptionId: c.subscriptionId,
        customerId: subOf.get(c.subscriptionId)!.customerId,
        billDate: c.billDate,
        billingNumber: c.billingNumber,
        currency: c.currency,
        lines: c.lines,
        pendingItems: extras.get(c.id)!.pending,
        creditApplied: extras.get(c.id)!.creditApplied,
        processorId: attemptOfCycle.get(c.id)?.processorId ?? extras.get(c.id)!.processorId,
      })),
    );
    await this.repository.setCycleInvoices(
      em,
      created.map((c, i) => ({ cycleId: c.id, invoiceId: invoiceIds[i] })),
    );
    await this.repository.startRetries(em, retryStarts);
    const recorded = attempts.filter((a) => a.attempt > 1 || inserted.has(a.cycleId));
    await this.repository.insertAttempts(em, recorded);
    const paidFree = free.filter((f) => inserted.has(f.cycleId));
    await this.repository.updateCycles(
      em,
      paidFree.map((f) => ({
        id: f.cycleId,
        status: 'paid',
        nextRetryDate: null,
        paidTransactionId: null,
      })),
    );
    for (const f of paidFree) {
      const decision = decideOutcome(
        {
          settings: settings.get(f.sub.merchantId)!,
          billDate: f.billDate,
          attempt: 1,
          subscription: { ...f.sub, nextBillDate: f.billDate },
          otherOpenCycles: false,
        },
        { kind: 'approved', transactionId: null },
      );
      if (decision.recordBilling)
        skips.push({ kind: 'billed', subscriptionId: f.sub.id, billDate: f.billDate });
      if (decision.status)
        skips.push({ kind: 'status', subscriptionId: f.sub.id, ...decision.status });
    }
    await this.ledger.apply(em, subs, skips);

    for (const attempt of recorded) {
      const p = plannedFor.get(attempt.subscriptionId)!;
      plan.charges.push({
        attempt,
        mode: 'send',
        customerId: p.customerId,
        processor: p.processor,
      });
    }
    for (const attempt of unsettled.values()) {
      const sub = subOf.get(attempt.subscriptionId)!;
      plan.charges.push({
        attempt,
        mode: 'resolve',
        customerId: sub.customerId,
        processor:
          attempt.paymentMethodId === null || attempt.storedCredential === null
            ? null
            : (processors.get(`${attempt.merchantId}|${attempt.processorId}`) ?? null),
      });
    }
    return plan;
  }

  // ------------------------------------------------------------------ phase 2

  /** Sends (or resolves) the batch's charges, at most `inFlight` at once. */
  async charge(charges: readonly PlannedCharge[], inFlight: number): Promise<ChargeOutcome[]> {
    const gateways = new Map<string, PaymentGateway | Error>();
    const gatewayOf = (p: Processor): PaymentGateway | Error => {
      let g = gateways.get(p.id);
      if (g === undefined) {
        try {
          g = this.payments.gatewayFor(p);
        } catch (err) {
          g = err as Error;
        }
        gateways.set(p.id, g);
      }
      return g;
    };
    const steps: (ChargeStep | ChargeOutcome)[] = charges.map((c) => {
      const a = c.attempt;
      if (c.processor === null || a.paymentMethodId === null) {
        return notChargedOutcome(
          a.amount,
          'the customer has no usable payment method in the vault',
          'hard',
        );
      }
      const gateway = gatewayOf(c.processor);
      if (gateway instanceof Error) return unknownOutcome(a.amount, gateway.message);
      return {
        gateway,
        mode: c.mode,
        startedAt: a.createdAt,
        whenNotFound: 'resend',
        request: {
          idempotencyKey: a.idempotencyKey,
          amount: a.amount,
          orderId: a.orderId,
          description: `Subscription ${a.subscriptionId}, billing of ${a.billDate}`,
          source: {
            kind: 'customer',
            customerId: c.customerId,
            paymentMethodId: a.paymentMethodId,
          },
          storedCredential: a.storedCredential ?? undefined,
        },
      } satisfies ChargeStep;
    });
    const toSend = steps.filter((s): s is ChargeStep => 'gateway' in s);
    const sent = await performCharges(toSend, inFlight);
    let i = 0;
    return steps.map((s) => ('gateway' in s ? sent[i++] : s));
  }

  // ------------------------------------------------------------------ phase 3

  /**
   * Records the outcomes and moves everything on. Returns the subscriptions left for a later
   * run (an outcome still unknown).
   */
  async record(
    em: EntityManager,
    charges: readonly PlannedCharge[],
    outcomes: readonly ChargeOutcome[],
    summary: BillingRunSummary,
  ): Promise<string[]> {
    // The outcomes' events (invoice.paid, the ledger's) are recorded together, last.
    return this.eventLog.deferred(em, () => this.recordOutcomes(em, charges, outcomes, summary));
  }

  private async recordOutcomes(
    em: EntityManager,
    charges: readonly PlannedCharge[],
    outcomes: readonly ChargeOutcome[],
    summary: BillingRunSummary,
  ): Promise<string[]> {
    const deferred: string[] = [];
    const changed = await this.repository.recordOutcomes(
      em,
      charges.map((c, i) => ({
        attemptId: c.attempt.id,
        state: attemptStateOf(outcomes[i]),
        transactionId: outcomes[i].transactionId,
        responseCode: outcomes[i].responseCode,
        declineKind: outcomes[i].declineKind,
        message: outcomes[i].message,
      })),
    );
    const settled: { charge: PlannedCharge; outcome: ChargeOutcome }[] = [];
    charges.forEach((charge, i) => {
      if (!changed.has(charge.attempt.id)) return; // recorded by someone else meanwhile
      const state = attemptStateOf(outcomes[i]);
      billingChargesTotal.labels(state).inc();
      if (state === 'unknown') {
        summary.unknown++;
        deferred.push(charge.attempt.subscriptionId);
      } else settled.push({ charge, outcome: outcomes[i] });
    });
    if (settled.length === 0) return deferred;

    const cycles = new Map(
      (
        await this.repository.lockCycles(
          em,
          settled.map((s) => s.charge.attempt.cycleId),
        )
      ).map((c) => [c.id, c]),
    );
    const subs = await this.ledger.loadForBilling(
      em,
      settled.map((s) => s.charge.attempt.subscriptionId),
      { lock: true },
    );
    const subOf = new Map(subs.map((s) => [s.id, s]));
    const otherOpen = await this.repository.withOtherOpenCycles(
      em,
      subs.map((s) => s.id),
      [...cycles.keys()],
    );
    const settings = await this.repository.settingsFor(em, [
      ...new Set(subs.map((s) => s.merchantId)),
    ]);

    const cycleUpdates: CycleUpdate[] = [];
    const changes: LedgerChange[] = [];
    const paid: Parameters<CycleInvoices['recordPayments']>[1][number][] = [];
    const failed: Parameters<CycleInvoices['notifyFailures']>[1][number][] = [];
    const seriesStarts: Parameters<RecurringPayments['recordSeriesStarts']>[1][number][] = [];
    for (const { charge, outcome } of settled) {
      const a = charge.attempt;
      const cycle = cycles.get(a.cycleId);
      const sub = subOf.get(a.subscriptionId);
      if (!cycle || !sub) continue;
      const approved = attemptStateOf(outcome) === 'approved';
      if (a.attempt > 1) summary.retried++;
      const decision = decideOutcome(
        {
          settings: settings.get(sub.merchantId)!,
          billDate: cycle.billDate,
          attempt: a.attempt,
          subscription: sub,
          otherOpenCycles: otherOpen.has(sub.id),
        },
        approved
          ? { kind: 'approved', transactionId: outcome.transactionId }
          : {
              kind: 'declined',
              declineKind: outcome.declineKind ?? 'soft',
              message: outcome.message,
              responseCode: outcome.responseCode,
            },
      );
      cycleUpdates.push({
        id: cycle.id,
        status: decision.cycle.status,
        nextRetryDate: decision.cycle.nextRetryDate,
        paidTransactionId: approved ? outcome.transactionId : null,
      });
      if (decision.recordBilling)
        changes.push({ kind: 'billed', subscriptionId: sub.id, billDate: cycle.billDate });
      if (decision.status)
        changes.push({ kind: 'status', subscriptionId: sub.id, ...decision.status });
      if (approved) {
        summary.charged++;
        summary.amount_charged += outcome.amountApproved;
        if (cycle.invoiceId && outcome.transactionId) {
          paid.push({
            merchantId: cycle.merchantId,
            invoiceId: cycle.invoiceId,
            transactionId: outcome.transactionId,
            amountCharged: outcome.amountApproved,
            processorId: a.processorId,
          });
        }
        if (
          a.storedCredential !== null &&
          a.paymentMethodId !== null &&
          outcome.transactionId !== null &&
          startsRecurringSeries(a.storedCredential)
        ) {
          seriesStarts.push({
            merchantId: a.merchantId,
            processorId: a.processorId,
            customerId: sub.customerId,
            paymentMethodId: a.paymentMethodId,
            transactionId: outcome.transactionId,
          });
        }
      } else {
        summary.declined++;
        summary.amount_declined += a.amount;
        if (cycle.invoiceId && decision.notifyFailure) {
          failed.push({
            merchantId: cycle.merchantId,
            invoiceId: cycle.invoiceId,
            message: outcome.message,
            retryOn: decision.notifyFailure.retryOn,
          });
        }
      }
    }
    await this.repository.updateCycles(em, cycleUpdates);
    await this.invoices.recordPayments(em, paid);
    await this.invoices.notifyFailures(em, failed);
    await this.payments.recordSeriesStarts(em, seriesStarts);
    // Last: the ledger's changes; every event of the batch is recorded after them, together.
    const { completed } = await this.ledger.apply(em, subs, changes);
    summary.completed += completed.size;
    return deferred;
  }
}
