/**
 * The amount of one subscription billing: the plan's base amount, plus the
 * add-ons and minus the discounts that apply to this billing.
 *
 * An add-on or discount is a flat amount in cents or a percentage of the base
 * amount in thousandths (10000 = 10.000%), never both. Its `duration` is how
 * many billings it applies to, counted from the first billing after it was
 * attached: with attachedAtBilling = a (the number of billings already made
 * when it was attached; 0 when attached at creation) and duration N, it applies
 * to billings a+1 .. a+N; duration 0 means every billing after a.
 *
 * The total never goes below 0: when the discounts exceed base + add-ons, they
 * are scaled down to exactly base + add-ons, split by largest remainder, so the
 * lines always add up to the total.
 */
import { CalcInputError } from './errors';
import { isAbsent, requireCount } from './input';
import {
  Money,
  percentOfThousandths,
  requireCents,
  requireThousandths,
  roundCents,
  subtractCents,
  sumCents,
} from './money';

export interface RecurringAdjustment {
  id: string;
  name: string;
  /** Flat cents; exactly one of amount and percentage is set. */
  amount?: number | null;
  /** Thousandths of a percent of the base amount (10000 = 10.000%). */
  percentage?: number | null;
  /** Number of billings it applies to; 0 = every billing. */
  duration: number;
  /** Billings already made when it was attached; 0 = attached at creation. */
  attachedAtBilling: number;
}

export interface RecurringChargeInput {
  baseAmount: number;
  /** Name of the base line; "Subscription" when absent. */
  baseName?: string;
  addOns: readonly RecurringAdjustment[];
  discounts: readonly RecurringAdjustment[];
  /** Which billing this is, 1-based (the first charge is 1). */
  billingNumber: number;
}

export interface RecurringChargeLine {
  kind: 'base' | 'add_on' | 'discount';
  id: string | null;
  name: string;
  /** Cents, always >= 0; discounts are subtracted from the total. */
  amount: number;
}

export interface RecurringCharge {
  lines: RecurringChargeLine[];
  total: number;
}

/** Whether an add-on or discount attached after billing a, lasting N billings, applies to billing k. */
export function appliesToBilling(
  adjustment: Pick<RecurringAdjustment, 'duration' | 'attachedAtBilling'>,
  billingNumber: number,
): boolean {
  const since = billingNumber - adjustment.attachedAtBilling;
  return since >= 1 && (adjustment.duration === 0 || since <= adjustment.duration);
}

function validateAdjustment(adj: RecurringAdjustment, field: string): void {
  const hasAmount = !isAbsent(adj.amount);
  const hasPercentage = !isAbsent(adj.percentage);
  if (hasAmount && hasPercentage) {
    throw new CalcInputError(field, 'must have either amount or percentage, not both');
  }
  if (!hasAmount && !hasPercentage) {
    throw new CalcInputError(field, 'must have an amount or a percentage');
  }
  if (hasAmount) requireCents(adj.amount, `${field}.amount`);
  else requireThousandths(adj.percentage, `${field}.percentage`);
  requireCount(adj.duration, `${field}.duration`);
  requireCount(adj.attachedAtBilling, `${field}.attachedAtBilling`);
}

function priced(adj: RecurringAdjustment, baseAmount: number, field: string): number {
  return isAbsent(adj.amount)
    ? percentOfThousandths(baseAmount, adj.percentage as number, field)
    : adj.amount;
}

function compare<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Scales `amounts` down so they sum to exactly `target` (< their sum), by
 * largest remainder. Ties go to the larger amount, then the smaller id, so the
 * result does not depend on the order the discounts are listed in.
 */
function shrinkTo(amounts: readonly { id: string; amount: number }[], target: number): number[] {
  const sum = sumCents(amounts.map((a) => a.amount));
  const shares = amounts.map((a, index) => {
    const exact = new Money(a.amount).times(target).dividedBy(sum);
    const floor = roundCents(exact.floor());
    return { index, floor, remainder: exact.minus(floor), amount: a.amount, id: a.id };
  });
  let left = subtractCents(target, sumCents(shares.map((s) => s.floor)));
  const order = [...shares].sort(
    (x, y) =>
      y.remainder.comparedTo(x.remainder) || compare(y.amount, x.amount) || compare(x.id, y.id),
  );
  const result = shares.map((s) => s.floor);
  for (const s of order) {
    if (left <= 0) break;
    result[s.index] = sumCents([result[s.index], 1]);
    left = subtractCents(left, 1);
  }
  return result;
}

export function recurringChargeLines(input: RecurringChargeInput): RecurringCharge {
  const base = requireCents(input.baseAmount, 'baseAmount');
  const k = requireCount(input.billingNumber, 'billingNumber', 1);
  input.addOns.forEach((a, i) => validateAdjustment(a, `addOns[${i}]`));
  input.discounts.forEach((d, i) => validateAdjustment(d, `discounts[${i}]`));

  const addOns = input.addOns
    .map((a, i) => ({ adj: a, field: `addOns[${i}]` }))
    .filter(({ adj }) => appliesToBilling(adj, k))
    .map(({ adj, field }) => ({ id: adj.id, name: adj.name, amount: priced(adj, base, field) }));
  const discounts = input.discounts
    .map((d, i) => ({ adj: d, field: `discounts[${i}]` }))
    .filter(({ adj }) => appliesToBilling(adj, k))
    .map(({ adj, field }) => ({ id: adj.id, name: adj.name, amount: priced(adj, base, field) }));

  const gross = sumCents([base, ...addOns.map((a) => a.amount)]);
  const wantedDiscount = sumCents(discounts.map((d) => d.amount));
  const discountAmounts =
    wantedDiscount > gross ? shrinkTo(discounts, gross) : discounts.map((d) => d.amount);
  const total = sumCents([gross, ...discountAmounts.map((d) => -d)]);

  return {
    lines: [
      { kind: 'base', id: null, name: input.baseName ?? 'Subscription', amount: base },
      ...addOns.map((a) => ({ kind: 'add_on' as const, ...a })),
      ...discounts.map((d, i) => ({
        kind: 'discount' as const,
        id: d.id,
        name: d.name,
        amount: discountAmounts[i],
      })),
    ],
    total,
  };
}
