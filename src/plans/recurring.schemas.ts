/**
 * Field schemas of the recurring API (add-ons, discounts, plans, subscriptions), with the
 * wording its clients know. Generic helpers live in src/platform/http/route-schema.ts.
 */
import { BILLING_FREQUENCIES } from '../billing-calc/calendar';
import {
  Cents,
  DateTime,
  Enum,
  Id,
  IdRef,
  Input,
  Int,
  Nullable,
  Opt,
  Output,
  Str,
  Thousandths,
  Type,
  type FieldOptions,
} from '../platform/http/route-schema';

export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 2000;

/**
 * The largest recurring amount, add-on or discount: 10^12 - 1 cents. NOTE: far above any real
 * subscription, and low enough that a base amount plus 100 add-ons always sums to a safe
 * integer, so a stored subscription can always be priced.
 */
export const MAX_RECURRING_CENTS = 999_999_999_999;

/** 0.1%, the smallest non-zero percentage the API accepts, in thousandths. */
export const MIN_NONZERO_PERCENTAGE = 100;

/** A recurring amount in cents, at most MAX_RECURRING_CENTS. */
export function RecurringCents(options: FieldOptions = {}) {
  return Cents({ maximum: MAX_RECURRING_CENTS, ...options });
}

/** A percentage in thousandths: 0, or 100 (0.1%) to 100000 (100%). */
export function RecurringPercentage(options: FieldOptions = {}) {
  const schema = Thousandths({
    ...options,
    not: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: MIN_NONZERO_PERCENTAGE },
  });
  schema['x-errors'] = {
    ...schema['x-errors'],
    not: 'invalid {field}: must be 0 or from 100 (0.1%) to 100000 (100%) in thousandths of a percent, got {value}',
  };
  return schema;
}

/** A number of billings: a whole number >= 0 (0 = until cancelled), at most 100000. */
export function Duration(options: FieldOptions = {}) {
  const low =
    'invalid {field}: must be a whole number of billings, 0 or more (0 = until cancelled), got {value}';
  return Int(0, 100_000, {
    description: 'number of billings (0 = until cancelled)',
    ...options,
    'x-errors': {
      type: low,
      minimum: low,
      maximum: 'invalid {field}: must be at most 100000 billings',
    },
  });
}

/** The fields of an add-on or discount in a request; null and absent mean "not given". */
export const adjustmentFields = () => ({
  name: Opt(Str(MAX_NAME_LENGTH, { description: 'display name', example: 'test plan' })),
  description: Opt(Str(MAX_DESCRIPTION_LENGTH, { example: 'just a simple test plan' })),
  amount: Opt(RecurringCents({ description: 'flat amount in cents; either amount or percentage' })),
  percentage: Opt(
    RecurringPercentage({
      description:
        'percentage of the recurring amount in thousandths (43440 = 43.440%); 0 or 0.1% to 100%',
    }),
  ),
  duration: Opt(Duration()),
});

/** An add-on or discount in the catalog, as the spec writes it. */
export const CatalogAdjustmentView = Output(
  {
    id: Id(),
    name: Type.String(),
    description: Type.String(),
    amount: Nullable(Cents()),
    percentage: Nullable(Thousandths()),
    duration: Type.Integer({ minimum: 0 }),
    created_at: DateTime(),
    updated_at: DateTime(),
  },
  { title: 'CatalogAdjustment' },
);

/**
 * One entry of a plan's or subscription's add_ons[] / discounts[]: a catalog id and the
 * entry's own overrides. The ids' existence and uniqueness are checked by the service.
 */
export const AdjustmentRefInput = Input(
  {
    id: IdRef({ description: 'a catalog add-on or discount of the merchant' }),
    ...adjustmentFields(),
  },
  { 'x-errors': { type: 'invalid {field}: must be an object with an id' } },
);

/** add_ons[] or discounts[] in a request: at most 100 entries. */
export function AdjustmentRefs() {
  return Opt(
    Type.Array(AdjustmentRefInput, {
      maxItems: 100,
      'x-errors': { type: 'invalid {field}: must be an array of objects, got {value}' },
    } as never),
  );
}

/** A plan's or subscription's copy of an add-on or discount (no timestamps of its own). */
export const AttachedAdjustmentView = Output(
  {
    id: Id(),
    name: Type.String(),
    description: Type.String(),
    amount: Nullable(Cents()),
    percentage: Nullable(Thousandths()),
    duration: Type.Integer({ minimum: 0 }),
    created_at: Type.Null(),
    updated_at: Type.Null(),
  },
  { title: 'AttachedAdjustment' },
);

/** How a plan or subscription bills (docs/billing-calendar.md); checked by the calendar core. */
export const scheduleFields = () => ({
  billing_cycle_interval: Opt(
    Type.Integer({ minimum: 1, description: 'bill every N periods of billing_frequency' }),
  ),
  billing_frequency: Opt(Enum(BILLING_FREQUENCIES)),
  billing_days: Opt(
    Str(100, {
      description: 'day(s) of the month: "1" monthly, "1,15" twice monthly',
      example: '1',
    }),
  ),
});
