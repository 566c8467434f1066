/**
 * Add-ons and discounts as plans and subscriptions hold them, and the totals they make.
 * The money rules themselves live in billing-calc (recurringChargeLines).
 */
import { recurringChargeLines, sumCents, type RecurringChargeLine } from '../billing-calc';
import { requireThousandths } from '../billing-calc/money';
import {
  asValidation,
  isGiven,
  optionalCents,
  optionalId,
  optionalObject,
  optionalText,
} from '../platform/http/input';
import { ValidationError } from '../platform/errors/errors';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_RECURRING_CENTS,
  MIN_NONZERO_PERCENTAGE,
} from './recurring.schemas';

export type AdjustmentKind = 'add_on' | 'discount';

/** How a kind is called in messages and in request fields. */
export const ADJUSTMENT_LABEL: Record<AdjustmentKind, string> = {
  add_on: 'add-on',
  discount: 'discount',
};
export const ADJUSTMENT_FIELD: Record<AdjustmentKind, 'add_ons' | 'discounts'> = {
  add_on: 'add_ons',
  discount: 'discounts',
};

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

// ---------------------------------------------------------------------------------------------
// The recurring API's own fields, read with the shell's input kit (src/platform/http/input.ts,
// same convention: `undefined` = not given, a 400 naming the field). The route schemas
// (recurring.schemas.ts) check the same rules at the edge; these also serve the callers that
// build a body without HTTP (checkout sessions signing a customer up).
// ---------------------------------------------------------------------------------------------

/** A recurring amount in cents, at most MAX_RECURRING_CENTS. */
export function optionalRecurringCents(value: unknown, field: string): number | undefined {
  return optionalCents(value, field, MAX_RECURRING_CENTS);
}

/** A percentage in thousandths: 0, or 100 (0.1%) to 100000 (100%). */
export function optionalPercentage(value: unknown, field: string): number | undefined {
  if (!isGiven(value)) return undefined;
  const thousandths = asValidation(() => requireThousandths(value, field));
  if (thousandths !== 0 && thousandths < MIN_NONZERO_PERCENTAGE) {
    throw new ValidationError(
      field,
      'must be 0 or from 100 (0.1%) to 100000 (100%) in thousandths of a percent',
    );
  }
  return thousandths;
}

/** A number of billings: a whole number >= 0 (0 = until cancelled). */
export function optionalDuration(value: unknown, field: string): number | undefined {
  if (!isGiven(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(
      field,
      'must be a whole number of billings, 0 or more (0 = until cancelled)',
    );
  }
  if (value > 100_000) throw new ValidationError(field, 'must be at most 100000 billings');
  return value;
}

/**
 * An amount or a percentage, never both. Returns undefined when neither is given (an update
 * that keeps the current values).
 */
export function optionalAmountOrPercentage(
  body: Record<string, unknown>,
  prefix = '',
): { amount: number | null; percentage: number | null } | undefined {
  const amount = optionalRecurringCents(body.amount, `${prefix}amount`);
  const percentage = optionalPercentage(body.percentage, `${prefix}percentage`);
  if (amount !== undefined && percentage !== undefined) {
    throw new ValidationError(
      `${prefix}amount`,
      `either amount or percentage may be given, not both`,
    );
  }
  if (amount !== undefined) return { amount, percentage: null };
  if (percentage !== undefined) return { amount: null, percentage };
  return undefined;
}

/** One entry of a plan's or subscription's add_ons[] / discounts[]: a catalog id and overrides. */
export interface AdjustmentRef {
  id: string;
  name?: string;
  description?: string;
  /** Set when the entry overrides the catalog item's amount or percentage. */
  price?: { amount: number | null; percentage: number | null };
  duration?: number;
}

/** add_ons[] or discounts[] from a request; undefined when the key is absent or null. */
export function optionalAdjustmentRefs(value: unknown, field: string): AdjustmentRef[] | undefined {
  if (!isGiven(value)) return undefined;
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array of objects');
  if (value.length > 100) throw new ValidationError(field, 'may hold at most 100 entries');
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const at = `${field}[${index}]`;
    const item = optionalObject(entry, at);
    if (!item) throw new ValidationError(at, 'must be an object with an id');
    const id = optionalId(item.id, `${at}.id`);
    if (id === undefined) throw new ValidationError(`${at}.id`, 'is required');
    if (seen.has(id)) throw new ValidationError(`${at}.id`, `${id} is listed more than once`);
    seen.add(id);
    return {
      id,
      name: optionalText(item.name, `${at}.name`, MAX_NAME_LENGTH),
      description: optionalText(item.description, `${at}.description`, MAX_DESCRIPTION_LENGTH),
      price: optionalAmountOrPercentage(item, `${at}.`),
      duration: optionalDuration(item.duration, `${at}.duration`),
    };
  });
}
