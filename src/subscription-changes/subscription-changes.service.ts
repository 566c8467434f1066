import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  applyCredit,
  PricedItem,
  PRORATION_RULE,
  prorateChange,
  sumCents,
  timesQuantity,
  type ProrationLine,
  type RecurringChargeLine,
} from '../billing-calc';
import { compareLocalDate, type LocalDate } from '../billing-calc/calendar';
import { BillingRepository } from '../billing/billing.repository';
import { BillingRunService } from '../billing/billing-run.service';
import type { BillingRunRecord } from '../billing/billing-run.types';
import { CustomerCreditsService } from '../credits/customer-credits.service';
import type { ChargeOutcome } from '../gateway/gateway';
import { GatewayPayments } from '../gateway/payments-port';
import { RecurringPayments } from '../gateway/stored-credentials/recurring-payments';
import { CycleInvoices } from '../invoices/cycle-invoices';
import { Clock, CLOCK } from '../platform/clock/clock';
import { ConflictError, PaymentRequiredError, UnprocessableError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import type { Actor } from '../plans/actors';
import { billingAmount, type AttachedAdjustment } from '../plans/adjustments';
import { PlansService } from '../plans/plans.service';
import { basePrice } from '../subscriptions/subscription-price';
import { SubscriptionDetails, SubscriptionsService } from '../subscriptions/subscriptions.service';

export type ProrationBehavior = 'create_prorations' | 'none' | 'always_invoice';

export interface SubscriptionChange {
  planId?: string;
  amount?: number;
  quantity?: number;
  /** Catalog references, as on create: replace the subscription's lists when given. */
  addOns?: unknown;
  discounts?: unknown;
  proration: ProrationBehavior;
  effective: 'now' | 'next_cycle';
  preview: boolean;
}

export interface InvoiceLine {
  amount: number;
  period_start: LocalDate;
  period_end: LocalDate;
  description: string;
  proration: boolean;
  days_remaining: number | null;
  days_in_cycle: number | null;
}

/** The invoice shape of a preview and of the upcoming invoice (docs/proration.md). */
export interface InvoicePreview {
  subscription_id: string;
  currency: string;
  lines: InvoiceLine[];
  subtotal: number;
  credit_applied: number;
  total: number;
  amount_due: number;
  /** What the change leaves as customer credit (a downgrade's negative net), in cents. */
  credit_granted: number;
  rule: string;
}

/** An upgrade charged at once (proration "always_invoice"). */
export interface ChangeCharge {
  id: string;
  status: 'paid' | 'declined';
  amount: number;
  credit_applied: number;
  transaction_id: string | null;
  invoice_id: string | null;
}

interface Target {
  planId: string | null;
  amount: number;
  quantity: number;
  addOns: AttachedAdjustment[] | null;
  discounts: AttachedAdjustment[] | null;
}

/** What a prorated change works on: the current cycle and the two prices' priced items. */
interface Prorated {
  invoice: InvoicePreview;
  /** The proration's lines and the cycle, when anything was prorated. */
  proration: { lines: ProrationLine[]; changeDate: LocalDate; cycleEnd: LocalDate } | null;
}

interface ChargeRow {
  id: string;
  merchant_id: string;
  subscription_id: string;
  customer_id: string;
  currency: string;
  status: 'charging' | 'paid' | 'declined';
  net: string;
  credit_applied: string;
  amount: string;
  idempotency_key: string;
  processor_id: string | null;
  payment_method_id: string;
  payment_method_type: 'card' | 'ach';
  target: Target & { detail: Record<string, unknown>; actor: Actor };
  /** The invoice item it bills, and the preview the change answered with. */
  invoice: { name: string; description: string; changeDate: LocalDate; preview: InvoicePreview };
  created_at: Date;
}

/** A charge whose answer never came is looked up no sooner than this after it was sent. */
const IN_FLIGHT_MS = 60_000;

/**
 * Plan, price and quantity changes with proration, the change preview, the upcoming
 * invoice, and ending a trial early. The arithmetic is the calculation core's
 * (prorateChange, applyCredit); this service loads the subscription, its current cycle and
 * the customer's credit, and writes through the subscriptions, credits, invoices and gateway
 * ports. subscription_change_charges (its own migration) makes an upgrade charged at once
 * exactly-once.
 */
@Injectable()
export class SubscriptionChangesService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionsService,
    private readonly plans: PlansService,
    private readonly billing: BillingRepository,
    private readonly credits: CustomerCreditsService,
    private readonly billingRuns: BillingRunService,
    private readonly gateway: GatewayPayments,
    private readonly payments: RecurringPayments,
    private readonly invoices: CycleInvoices,
  ) {}

  async change(
    merchantId: string,
    subscriptionId: string,
    change: SubscriptionChange,
    actor: Actor,
  ): Promise<{
    invoice: InvoicePreview;
    subscription: SubscriptionDetails | null;
    charge: ChangeCharge | null;
  }> {
    // Exists and is the merchant's (404 otherwise), before anything else.
    await this.subscriptions.get(merchantId, subscriptionId);
    await this.resolveUnsettled(merchantId, subscriptionId);
    const planned = await this.dataSource.transaction(async (em) => {
      const details = await this.subscriptions.detailsIn(em, merchantId, subscriptionId, {
        lock: !change.preview,
      });
      const target = await this.target(em, merchantId, details, change);
      const prorated = await this.prorate(em, details, target, change);
      const { invoice } = prorated;
      if (change.preview) return { done: { invoice, subscription: null, charge: null } };
      const detail = { proration: change.proration, effective: change.effective };
      const apply = () =>
        this.subscriptions.changePrice(
          em,
          merchantId,
          subscriptionId,
          { ...target, detail },
          actor,
        );
      if (invoice.subtotal <= 0) {
        const subscription = await apply();
        if (invoice.credit_granted > 0) await this.grantCredit(em, details, invoice);
        return { done: { invoice, subscription, charge: null } };
      }
      if (change.proration === 'create_prorations') {
        // The difference goes on the next cycle's invoice, as one item that shows its lines.
        const subscription = await apply();
        await this.subscriptions.addPendingItems(em, [
          {
            merchantId,
            subscriptionId,
            amount: invoice.subtotal,
            ...pendingText(prorated),
            periodStart: prorated.proration!.changeDate,
            periodEnd: prorated.proration!.cycleEnd,
            sourceType: 'subscription_change',
            sourceId: newId(),
          },
        ]);
        return { done: { invoice, subscription, charge: null } };
      }
      // always_invoice: the customer asked for it, so it is charged now, customer-initiated.
      return { charge: await this.startCharge(em, details, target, prorated, detail, actor) };
    });
    if (planned.done) return planned.done;
    const row = planned.charge!;
    if (row.status === 'paid') {
      // Customer credit paid the whole difference: applied without a charge.
      return {
        invoice: withCredit(await this.reprorate(row), Number(row.credit_applied)),
        subscription: await this.subscriptions.get(merchantId, subscriptionId),
        charge: chargeView(row, null),
      };
    }
    const { outcome } = await this.gateway.chargeStoredMethod({
      merchantId,
      processorId: row.processor_id,
      capture: true,
      amount: Number(row.amount),
      currency: row.currency,
      customerId: row.customer_id,
      paymentMethodId: row.payment_method_id,
      paymentMethodType: row.payment_method_type,
      idempotencyKey: row.idempotency_key,
      orderId: `rc${row.id.slice(0, 15)}`,
      description: `Upgrade of subscription ${subscriptionId}`,
      credential: 'one_off',
    });
    const finished = await this.finishCharge(row.id, outcome);
    if (finished.status === 'declined') {
      throw new PaymentRequiredError(
        `the card was declined for the upgrade's ${row.amount} cents: ${finished.message ?? outcome.message}; nothing was changed`,
      );
    }
    if (finished.status === 'charging') {
      throw new ConflictError(
        `the upgrade's charge got no answer from the gateway (${outcome.unknownReason ?? outcome.message}); it is looked up and finished before this subscription's next change`,
      );
    }
    return {
      invoice: withCredit(await this.reprorate(finished), Number(finished.credit_applied)),
      subscription: await this.subscriptions.get(merchantId, subscriptionId),
      charge: chargeView(finished, finished.invoiceId),
    };
  }

  /**
   * Ends a trial early and bills its first cycle at once, through the billing run (one
   * subscription, today's date): merchant-initiated on the card verified at signup, with the
   * run's dunning on a decline. Answers the subscription after that billing.
   */
  async endTrial(
    merchantId: string,
    subscriptionId: string,
    actor: Actor,
  ): Promise<{ subscription: SubscriptionDetails; run: BillingRunRecord }> {
    const today = await this.dataSource.transaction((em) =>
      this.subscriptions.endTrialNow(em, merchantId, subscriptionId, actor),
    );
    const run = await this.billingRuns.run({
      asOf: today,
      merchantId,
      subscriptionIds: [subscriptionId],
      triggeredBy: actor,
    });
    return { subscription: await this.subscriptions.get(merchantId, subscriptionId), run };
  }

  /**
   * The exact invoice the next billing produces: its recurring lines, the prorated items
   * changes left for it, and the customer's credit it will consume. Writes nothing.
   */
  async upcomingInvoice(merchantId: string, subscriptionId: string): Promise<InvoicePreview> {
    const em = this.dataSource.manager;
    const details = await this.subscriptions.get(merchantId, subscriptionId);
    const sub = details.subscription;
    if (sub.status === 'cancelled' || sub.status === 'completed') {
      throw new ConflictError(`the subscription is ${sub.status}: it has no upcoming invoice`);
    }
    const next = billingAmount(
      basePrice(sub),
      details.addOns,
      details.discounts,
      sub.billingCount + 1,
    );
    const pending = await this.subscriptions.pendingItems(em, sub.id);
    const lines = [
      ...next.lines.map((l) => renewalLine(l, sub.nextBillDate)),
      ...pending.map((p) => ({
        amount: p.amount,
        period_start: p.periodStart,
        period_end: p.periodEnd,
        description: `${p.name}: ${p.description}`,
        proration: true,
        days_remaining: null,
        days_in_cycle: null,
      })),
    ];
    const subtotal = sumCents([next.total, ...pending.map((p) => p.amount)]);
    const balance = await this.credits.balance(merchantId, sub.customerId, sub.currency, em);
    const { creditApplied, amountDue } = applyCredit(subtotal, balance);
    return {
      subscription_id: sub.id,
      currency: sub.currency,
      lines,
      subtotal,
      credit_applied: creditApplied,
      total: subtotal,
      amount_due: amountDue,
      credit_granted: 0,
      rule: PRORATION_RULE,
    };
  }

  // ---------------------------------------------------------------- the change

  private async target(
    em: EntityManager,
    merchantId: string,
    details: SubscriptionDetails,
    change: SubscriptionChange,
  ): Promise<Target> {
    const sub = details.subscription;
    if (sub.status === 'cancelled' || sub.status === 'completed') {
      throw new ConflictError(
        `the subscription is ${sub.status}, which is final: it cannot be changed`,
      );
    }
    const lists = await this.subscriptions.resolveAdjustments(em, details, {
      add_ons: change.addOns,
      discounts: change.discounts,
    });
    let planId: string | null = null;
    let amount = change.amount;
    if (change.planId !== undefined) {
      const plan = await this.plans.get(merchantId, change.planId);
      planId = plan.plan.id;
      amount ??= plan.plan.amount;
    }
    if (
      amount === undefined &&
      change.quantity === undefined &&
      lists.addOns === null &&
      lists.discounts === null
    ) {
      throw new UnprocessableError(
        'a change needs plan_id, amount, quantity, add_ons or discounts',
      );
    }
    return {
      planId,
      amount: amount ?? sub.amount,
      quantity: change.quantity ?? sub.quantity,
      addOns: lists.addOns,
      discounts: lists.discounts,
    };
  }

  private async prorate(
    em: EntityManager,
    details: SubscriptionDetails,
    target: Target,
    change: Pick<SubscriptionChange, 'proration' | 'effective'>,
  ): Promise<Prorated> {
    const sub = details.subscription;
    const empty: InvoicePreview = {
      subscription_id: sub.id,
      currency: sub.currency,
      lines: [],
      subtotal: 0,
      credit_applied: 0,
      total: 0,
      amount_due: 0,
      credit_granted: 0,
      rule: PRORATION_RULE,
    };
    // Nothing to prorate: asked not to, starting next cycle, or no cycle paid yet (a trial).
    if (
      change.proration === 'none' ||
      change.effective === 'next_cycle' ||
      sub.billingCount === 0 ||
      sub.status === 'trialing'
    ) {
      return { invoice: empty, proration: null };
    }
    const cycleStart = await this.billing.lastBilledDate(sub.id, sub.nextBillDate);
    const today = await this.subscriptions.today(em, sub);
    if (
      cycleStart === null ||
      compareLocalDate(today, cycleStart) < 0 ||
      compareLocalDate(today, sub.nextBillDate) >= 0
    ) {
      return { invoice: empty, proration: null };
    }
    const current = sub.billingCount;
    const before = billingAmount(basePrice(sub), details.addOns, details.discounts, current);
    // An add-on or discount attached now counts its duration from the next billing, but it
    // applies to the rest of this cycle too: prorated as if attached one billing earlier.
    const nowToo = (list: AttachedAdjustment[] | null, kept: AttachedAdjustment[]) =>
      (list ?? kept).map((a) =>
        a.attachedAtBilling >= current ? { ...a, attachedAtBilling: current - 1 } : a,
      );
    const after = billingAmount(
      timesQuantity(target.amount, target.quantity),
      nowToo(target.addOns, details.addOns),
      nowToo(target.discounts, details.discounts),
      current,
    );
    const p = prorateChange({
      cycleStart,
      cycleEnd: sub.nextBillDate,
      changeDate: today,
      before: before.lines.map(pricedItem),
      after: after.lines.map(pricedItem),
    });
    const lines = p.lines.filter((l) => l.amount !== 0);
    const subtotal = p.net;
    return {
      invoice: {
        ...empty,
        lines: lines.map((l) => ({
          amount: l.amount,
          period_start: l.periodStart,
          period_end: l.periodEnd,
          description: l.description,
          proration: true,
          days_remaining: l.daysRemaining,
          days_in_cycle: l.daysInCycle,
        })),
        subtotal,
        total: Math.max(subtotal, 0),
        amount_due: Math.max(subtotal, 0),
        credit_granted: Math.max(-subtotal, 0),
      },
      proration: { lines, changeDate: today, cycleEnd: sub.nextBillDate },
    };
  }

  private async grantCredit(
    em: EntityManager,
    details: SubscriptionDetails,
    invoice: InvoicePreview,
  ) {
    const sub = details.subscription;
    await this.credits.grant(em, {
      merchantId: sub.merchantId,
      customerId: sub.customerId,
      currency: sub.currency,
      amount: invoice.credit_granted,
      reason: 'proration',
      sourceType: 'subscription_change',
      sourceId: newId(),
      description:
        `Proration credit for subscription ${sub.id}: ${invoice.lines.map((l) => l.description).join('; ')}`.slice(
          0,
          2000,
        ),
    });
  }

  // ------------------------------------------------- an upgrade charged at once

  /**
   * In the change's transaction (the subscription locked): consumes the customer's credit
   * first and records the charge about to be sent; when credit pays it all, the change is
   * applied at once.
   */
  private async startCharge(
    em: EntityManager,
    details: SubscriptionDetails,
    target: Target,
    prorated: Prorated,
    detail: Record<string, unknown>,
    actor: Actor,
  ): Promise<ChargeRow> {
    const sub = details.subscription;
    const net = prorated.invoice.subtotal;
    const id = newId();
    const creditApplied = await this.credits.consume(em, {
      merchantId: sub.merchantId,
      customerId: sub.customerId,
      currency: sub.currency,
      upTo: net,
      sourceType: 'subscription_change',
      sourceId: id,
      description: `Upgrade of subscription ${sub.id}`,
    });
    const amount = net - creditApplied;
    const text = pendingText(prorated);
    const row: ChargeRow = {
      id,
      merchant_id: sub.merchantId,
      subscription_id: sub.id,
      customer_id: sub.customerId,
      currency: sub.currency,
      status: amount === 0 ? 'paid' : 'charging',
      net: String(net),
      credit_applied: String(creditApplied),
      amount: String(amount),
      idempotency_key: `rebill-change-${id}`,
      processor_id: sub.processorId,
      payment_method_id: '',
      payment_method_type: 'card',
      target: { ...target, detail: { ...detail, change_charge_id: id }, actor },
      invoice: {
        ...text,
        changeDate: prorated.proration!.changeDate,
        preview: prorated.invoice,
      },
      created_at: this.clock.now(),
    };
    if (amount === 0) {
      await this.subscriptions.changePrice(
        em,
        sub.merchantId,
        sub.id,
        { ...target, detail: row.target.detail },
        actor,
      );
      return row;
    }
    const [method] = await this.payments.paymentMethods(em, [
      {
        merchantId: sub.merchantId,
        customerId: sub.customerId,
        paymentMethodId: sub.paymentMethodId,
        paymentMethodType: sub.paymentMethodType,
      },
    ]);
    if (method.method === null) {
      throw new UnprocessableError(
        `the customer has no usable payment method to charge the upgrade's ${amount} cents now: add one, or use proration "create_prorations" to bill it with the next invoice`,
      );
    }
    row.payment_method_id = method.method.id;
    row.payment_method_type = method.method.type;
    row.processor_id = sub.processorId ?? (await this.gateway.defaultProcessorId(sub.merchantId));
    try {
      await em.query(
        `INSERT INTO subscription_change_charges
           (id, merchant_id, subscription_id, customer_id, currency, status, net, credit_applied,
            amount, idempotency_key, processor_id, payment_method_id, payment_method_type,
            target, invoice, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'charging', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
        [
          row.id,
          row.merchant_id,
          row.subscription_id,
          row.customer_id,
          row.currency,
          net,
          creditApplied,
          amount,
          row.idempotency_key,
          row.processor_id,
          row.payment_method_id,
          row.payment_method_type,
          JSON.stringify(row.target),
          JSON.stringify(row.invoice),
          row.created_at,
        ],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new ConflictError('another change of this subscription is being charged right now');
      }
      throw err;
    }
    return row;
  }

  /**
   * Records a charge's outcome, once (the row is locked; a row already finished is returned
   * as it is): approved, the change is applied and a paid invoice shows the prorated item;
   * declined, the consumed credit is given back and nothing changes; unknown, it stays
   * charging for resolveUnsettled.
   */
  private async finishCharge(
    id: string,
    outcome: ChargeOutcome,
  ): Promise<ChargeRow & { invoiceId: string | null; message: string | null }> {
    return this.dataSource.transaction(async (em) => {
      const [row]: (ChargeRow & { transaction_id: string | null; message: string | null })[] =
        await em.query(`SELECT * FROM subscription_change_charges WHERE id = $1 FOR UPDATE`, [id]);
      if (row.status !== 'charging') return { ...row, invoiceId: null };
      const approved = outcome.kind === 'approved' || outcome.kind === 'partially_approved';
      if (outcome.kind === 'unknown') return { ...row, invoiceId: null };
      const now = this.clock.now();
      let invoiceId: string | null = null;
      if (approved) {
        const t = row.target;
        await this.subscriptions.changePrice(
          em,
          row.merchant_id,
          row.subscription_id,
          {
            planId: t.planId,
            amount: t.amount,
            quantity: t.quantity,
            addOns: t.addOns,
            discounts: t.discounts,
            detail: t.detail,
          },
          t.actor,
        );
        [invoiceId] = await this.invoices.create(em, [
          {
            merchantId: row.merchant_id,
            subscriptionId: row.subscription_id,
            customerId: row.customer_id,
            billDate: row.invoice.changeDate,
            billingNumber: 0,
            currency: row.currency,
            lines: [],
            pendingItems: [
              {
                name: row.invoice.name,
                description: row.invoice.description,
                amount: Number(row.net),
              },
            ],
            creditApplied: Number(row.credit_applied),
            cycleKey: `change:${row.id}`,
            message: `Upgrade of your subscription on ${row.invoice.changeDate}, charged now.`,
            processorId: row.processor_id!,
          },
        ]);
        await this.invoices.recordPayments(em, [
          {
            merchantId: row.merchant_id,
            invoiceId,
            transactionId: outcome.transactionId!,
            amountCharged: outcome.amountApproved,
            processorId: row.processor_id!,
          },
        ]);
      } else if (Number(row.credit_applied) > 0) {
        await this.credits.grant(em, {
          merchantId: row.merchant_id,
          customerId: row.customer_id,
          currency: row.currency,
          amount: Number(row.credit_applied),
          reason: 'refund',
          sourceType: 'subscription_change_declined',
          sourceId: row.id,
          description: `Credit given back: the upgrade's charge was declined (${outcome.message})`,
        });
      }
      const status = approved ? 'paid' : 'declined';
      await em.query(
        `UPDATE subscription_change_charges
            SET status = $2, transaction_id = $3, message = $4, updated_at = $5
          WHERE id = $1`,
        [row.id, status, outcome.transactionId, outcome.message, now],
      );
      return {
        ...row,
        status,
        transaction_id: outcome.transactionId,
        message: outcome.message,
        invoiceId,
      };
    });
  }

  /**
   * A charge of an earlier change whose answer was lost (a timeout, a crash after sending):
   * looked up at the gateway by its idempotency key and finished, never sent again under a
   * new key. One still in flight (younger than a minute) refuses the new change with 409.
   */
  private async resolveUnsettled(merchantId: string, subscriptionId: string): Promise<void> {
    const rows: ChargeRow[] = await this.dataSource.query(
      `SELECT * FROM subscription_change_charges
        WHERE merchant_id = $1 AND subscription_id = $2 AND status = 'charging'`,
      [merchantId, subscriptionId],
    );
    for (const row of rows) {
      const age = this.clock.now().getTime() - new Date(row.created_at).getTime();
      if (age < IN_FLIGHT_MS) {
        throw new ConflictError('another change of this subscription is being charged right now');
      }
      const lookup = await this.gateway.findAttempt(merchantId, row.processor_id!, {
        idempotencyKey: row.idempotency_key,
        amount: Number(row.amount),
        since: new Date(row.created_at),
      });
      if (lookup.kind === 'unresolved') {
        throw new ConflictError(
          `an earlier change's charge cannot be looked up at the gateway yet (${lookup.reason}); try again later`,
        );
      }
      await this.finishCharge(
        row.id,
        lookup.kind === 'found'
          ? lookup.outcome
          : {
              kind: 'declined',
              transactionId: null,
              responseCode: 0,
              message: 'the charge never reached the gateway',
              declineKind: 'soft',
              amountRequested: Number(row.amount),
              amountApproved: 0,
              status: 'failed' as ChargeOutcome['status'],
              avsResponseCode: null,
              cvvResponseCode: null,
              authCode: null,
            },
      );
    }
  }

  /** The preview a charged change answered with: its lines, as they were charged. */
  private async reprorate(row: ChargeRow): Promise<InvoicePreview> {
    return row.invoice.preview;
  }
}

function withCredit(invoice: InvoicePreview, credit: number): InvoicePreview {
  return { ...invoice, credit_applied: credit, amount_due: invoice.total - credit };
}

function chargeView(row: ChargeRow & { transaction_id?: string | null }, invoiceId: string | null) {
  return {
    id: row.id,
    status: row.status === 'declined' ? ('declined' as const) : ('paid' as const),
    amount: Number(row.amount),
    credit_applied: Number(row.credit_applied),
    transaction_id: row.transaction_id ?? null,
    invoice_id: invoiceId,
  };
}

/** The invoice item of a prorated difference: its name, and every line with its arithmetic. */
function pendingText(prorated: Prorated): { name: string; description: string } {
  const lines = prorated.proration?.lines ?? [];
  const net = sumCents(lines.map((l) => l.amount));
  return {
    name: 'Prorated change',
    description:
      `${lines.map((l) => `${l.description} (${l.amount < 0 ? 'credit' : 'charge'} ${l.amount})`).join('; ')}; net ${net} cents`.slice(
        0,
        1000,
      ),
  };
}

function pricedItem(line: RecurringChargeLine): PricedItem {
  return { kind: line.kind, id: line.id, name: line.name, amount: line.amount };
}

function renewalLine(line: RecurringChargeLine, billDate: LocalDate): InvoiceLine {
  return {
    amount: line.kind === 'discount' ? -line.amount : line.amount,
    period_start: billDate,
    period_end: billDate,
    description: line.kind === 'discount' ? `${line.name} (discount)` : line.name,
    proration: false,
    days_remaining: null,
    days_in_cycle: null,
  };
}
