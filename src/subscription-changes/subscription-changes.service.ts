import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  PricedItem,
  PRORATION_RULE,
  prorateChange,
  type RecurringChargeLine,
} from '../billing-calc';
import { compareLocalDate, type LocalDate } from '../billing-calc/calendar';
import { BillingRepository } from '../billing/billing.repository';
import { CustomerCreditsService } from '../credits/customer-credits.service';
import { ConflictError, UnprocessableError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import type { Actor } from '../plans/actors';
import { billingAmount } from '../plans/adjustments';
import { PlansService } from '../plans/plans.service';
import { SubscriptionDetails, SubscriptionsService } from '../subscriptions/subscriptions.service';

export type ProrationBehavior = 'create_prorations' | 'none' | 'always_invoice';

export interface SubscriptionChange {
  planId?: string;
  amount?: number;
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

interface PricedPlan {
  planId: string | null;
  amount: number;
}

/**
 * Plan and price changes with proration, the change preview and the upcoming invoice.
 * The arithmetic is the calculation core's (prorateChange, applyCredit); this service loads
 * the subscription, its current cycle and the customer's credit, and writes through the
 * subscriptions and credits ports.
 */
@Injectable()
export class SubscriptionChangesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subscriptions: SubscriptionsService,
    private readonly plans: PlansService,
    private readonly billing: BillingRepository,
    private readonly credits: CustomerCreditsService,
  ) {}

  async change(
    merchantId: string,
    subscriptionId: string,
    change: SubscriptionChange,
    actor: Actor,
  ): Promise<{ invoice: InvoicePreview; subscription: SubscriptionDetails | null }> {
    const target = await this.target(merchantId, change);
    const details = await this.subscriptions.get(merchantId, subscriptionId);
    const invoice = await this.prorationInvoice(details, target, change);
    if (change.preview) return { invoice, subscription: null };
    if (invoice.subtotal > 0) {
      // NOTE: charging an upgrade's difference (now, customer-initiated, or on the next
      // renewal) is not built yet; refuse rather than give the upgrade away.
      throw new UnprocessableError(
        `this change costs ${invoice.subtotal} cents more for the rest of the cycle, and charging a prorated upgrade is not available yet: preview it, or apply it with proration "none" or effective "next_cycle"`,
      );
    }
    const subscription = await this.dataSource.transaction(async (em) => {
      const changed = await this.subscriptions.changePrice(
        em,
        merchantId,
        subscriptionId,
        {
          planId: target.planId,
          amount: target.amount,
          detail: { proration: change.proration, effective: change.effective },
        },
        actor,
      );
      if (invoice.credit_granted > 0) await this.grantCredit(em, details, invoice);
      return changed;
    });
    return { invoice, subscription };
  }

  /** The exact invoice the next billing produces, credit included; writes nothing. */
  async upcomingInvoice(merchantId: string, subscriptionId: string): Promise<InvoicePreview> {
    const details = await this.subscriptions.get(merchantId, subscriptionId);
    const sub = details.subscription;
    if (sub.status === 'cancelled' || sub.status === 'completed') {
      throw new ConflictError(`the subscription is ${sub.status}: it has no upcoming invoice`);
    }
    const next = billingAmount(sub.amount, details.addOns, details.discounts, sub.billingCount + 1);
    const lines = next.lines.map((l) => renewalLine(l, sub.nextBillDate));
    const subtotal = next.total;
    // NOTE: the billing run does not consume customer credit yet (docs/proration.md,
    // "Credits"), so the next billing charges the whole subtotal: the preview says exactly that.
    const { creditApplied, amountDue } = { creditApplied: 0, amountDue: subtotal };
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

  private async target(merchantId: string, change: SubscriptionChange): Promise<PricedPlan> {
    if (change.planId !== undefined) {
      const plan = await this.plans.get(merchantId, change.planId);
      return { planId: plan.plan.id, amount: change.amount ?? plan.plan.amount };
    }
    if (change.amount === undefined) {
      throw new UnprocessableError('a change needs plan_id or amount');
    }
    return { planId: null, amount: change.amount };
  }

  private async prorationInvoice(
    details: SubscriptionDetails,
    target: PricedPlan,
    change: SubscriptionChange,
  ): Promise<InvoicePreview> {
    const sub = details.subscription;
    if (sub.status === 'cancelled' || sub.status === 'completed') {
      throw new ConflictError(
        `the subscription is ${sub.status}, which is final: it cannot be changed`,
      );
    }
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
    // Nothing to prorate: asked not to, starting next cycle, or no cycle paid yet.
    if (
      change.proration === 'none' ||
      change.effective === 'next_cycle' ||
      sub.billingCount === 0
    ) {
      return empty;
    }
    const cycleStart = await this.billing.lastBilledDate(sub.id, sub.nextBillDate);
    const today = await this.dataSource.transaction((em: EntityManager) =>
      this.subscriptions.today(em, sub),
    );
    if (
      cycleStart === null ||
      compareLocalDate(today, cycleStart) < 0 ||
      compareLocalDate(today, sub.nextBillDate) >= 0
    ) {
      return empty;
    }
    const current = sub.billingCount;
    const { addOns, discounts } = details;
    const before = billingAmount(sub.amount, addOns, discounts, current).lines.map(pricedItem);
    const after = billingAmount(target.amount, addOns, discounts, current).lines.map(pricedItem);
    const p = prorateChange({
      cycleStart,
      cycleEnd: sub.nextBillDate,
      changeDate: today,
      before,
      after,
    });
    const lines: InvoiceLine[] = p.lines
      .filter((l) => l.amount !== 0)
      .map((l) => ({
        amount: l.amount,
        period_start: l.periodStart,
        period_end: l.periodEnd,
        description: l.description,
        proration: true,
        days_remaining: l.daysRemaining,
        days_in_cycle: l.daysInCycle,
      }));
    const subtotal = p.net;
    return {
      ...empty,
      lines,
      subtotal,
      total: Math.max(subtotal, 0),
      amount_due: Math.max(subtotal, 0),
      credit_granted: Math.max(-subtotal, 0),
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
