/**
 * Add-ons and discounts as plans and subscriptions hold them, and the totals they make.
 * The money rules themselves live in billing-calc (recurringChargeLines).
 */
import { recurringChargeLines, sumCents, type RecurringChargeLine } from '../billing-calc';
import type { AdjustmentKind } from './recurring-input';

/** A catalog add-on or discount with a plan's or subscription's overrides applied. */
export interface ResolvedAdjustment {
  /** The catalog item's id. */
  sourceId: string;
  name: string;
  description: string;
  amount: number | null;
  percentage: number | null;
  duration: number;
}

/** An attached adjustment with the number of billings already made when it was attached. */
export interface AttachedAdjustment extends ResolvedAdjustment {
  attachedAtBilling: number;
}

export interface BillingAmount {
  /** 1-based number of the billing. */
  billingNumber: number;
  baseAmount: number;
  totalAddOns: number;
  totalDiscounts: number;
  total: number;
  lines: RecurringChargeLine[];
}

/**
 * What billing number `billingNumber` charges: the base amount with the add-ons and discounts
 * whose durations cover that billing.
 */
export function billingAmount(
  baseAmount: number,
  addOns: readonly AttachedAdjustment[],
  discounts: readonly AttachedAdjustment[],
  billingNumber: number,
): BillingAmount {
  const toCalc = (a: AttachedAdjustment) => ({
    id: a.sourceId,
    name: a.name,
    amount: a.amount,
    percentage: a.percentage,
    duration: a.duration,
    attachedAtBilling: a.attachedAtBilling,
  });
  const charge = recurringChargeLines({
    baseAmount,
    addOns: addOns.map(toCalc),
    discounts: discounts.map(toCalc),
    billingNumber,
  });
  const sumOf = (kind: RecurringChargeLine['kind']) =>
    sumCents(charge.lines.filter((l) => l.kind === kind).map((l) => l.amount));
  return {
    billingNumber,
    baseAmount,
    totalAddOns: sumOf('add_on'),
    totalDiscounts: sumOf('discount'),
    total: charge.total,
    lines: charge.lines,
  };
}

/**
 * When the list of add-ons (or discounts) is replaced on a subscription that has already
 * billed, an entry that was already attached keeps counting its duration from when it was
 * first attached; a new entry starts counting now.
 */
export function reattach(
  replacement: readonly ResolvedAdjustment[],
  current: readonly AttachedAdjustment[],
  billingCount: number,
): AttachedAdjustment[] {
  return replacement.map((r) => {
    const existing = current.find((c) => c.sourceId === r.sourceId);
    return { ...r, attachedAtBilling: existing ? existing.attachedAtBilling : billingCount };
  });
}

export function byKind<T extends { kind: AdjustmentKind }>(
  rows: readonly T[],
  kind: AdjustmentKind,
) {
  return rows.filter((r) => r.kind === kind);
}
