/**
 * /api/calculate/amounts and /api/lookup/fees (spec: Amount calculation, Fee Calculation).
 * The schemas check each field's type; the pure core (src/billing-calc) keeps its own checks of
 * the rules between fields, and is the one that reads the body.
 */
import {
  PAYMENT_METHODS,
  TRANSACTION_TYPES,
  ADJUSTMENT_TYPES,
  LINE_ITEM_STATUSES,
} from '../billing-calc';
import {
  Bool,
  Cents,
  Enum,
  Input,
  Nullable,
  Opt,
  Output,
  route,
  Str,
  Success,
  Type,
  type FieldOptions,
} from '../platform/http/route-schema';
import { TEXT_MAX } from '../platform/http/shared-schemas';

/** A percentage as the spec writes rates: "10.25" (a string, or a JSON number). */
function Rate(options: FieldOptions = {}) {
  return Type.Unsafe<string | number>({
    type: ['string', 'number'],
    maxLength: 20,
    description: 'a percentage like "10.25"',
    ...options,
    'x-errors': { type: '{field} must be a percentage string like "10.25", got {value}' },
  });
}

/** Cents, or a string of digits ("1000"), as products[].price is typed in the spec. */
function CentsOrDigits(options: FieldOptions = {}) {
  return Type.Unsafe<number | string>({
    type: ['integer', 'string'],
    maxLength: 20,
    description: 'amount in cents, as an integer or a string of digits ("1000" = 10.00)',
    ...options,
    'x-errors': {
      type: '{field} must be an integer number of cents (like "1000" for 10.00), got {value}',
    },
  });
}

/** A non-negative quantity, possibly fractional; a numeric string is accepted too. */
function Quantity(options: FieldOptions = {}) {
  return Type.Unsafe<number | string>({
    type: ['number', 'string'],
    maxLength: 30,
    ...options,
    'x-errors': { type: '{field} must be a number, got {value}' },
  });
}

const Adjustment = () =>
  Input({
    type: Enum(ADJUSTMENT_TYPES),
    value: Type.Integer({
      description:
        "cents when type is 'flat' (1000 = 10.00), thousandths of a percent when 'percentage' (10000 = 10.000%)",
      'x-errors': {
        type: "{field} must be an integer: cents when type is 'flat', thousandths of a percent when 'percentage', got {value}",
      },
    }),
    include: Opt(Bool({ description: 'add the computed amount to the total' })),
  });

const LineItem = Input({
  id: Opt(Str(TEXT_MAX)),
  name: Opt(Str(TEXT_MAX)),
  description: Opt(Str(TEXT_MAX)),
  status: Opt(Enum(LINE_ITEM_STATUSES)),
  type: Opt(Enum(ADJUSTMENT_TYPES, { description: "only 'flat' is supported" })),
  unit_price: Cents(),
  quantity: Quantity(),
  quantity_shipped: Opt(Quantity()),
  product_code: Opt(Str(TEXT_MAX)),
  commodity_code: Opt(Str(TEXT_MAX)),
  unit_of_measure: Opt(Str(TEXT_MAX)),
  alternate_tax_identifier: Opt(Str(TEXT_MAX)),
  taxable: Opt(Bool()),
  local_tax_rate: Opt(Rate()),
  national_tax_rate: Opt(Rate()),
  tax_rate: Opt(Rate()),
  discount_amount: Opt(Cents()),
  discount_rate: Opt(Rate()),
  freight_amount: Opt(Cents()),
});

const Product = Input({
  id: Opt(Str(TEXT_MAX)),
  name: Opt(Str(TEXT_MAX)),
  description: Opt(Str(TEXT_MAX)),
  price: CentsOrDigits(),
  quantity: Opt(Quantity({ description: 'defaults to 1' })),
  local_tax: Opt(Rate()),
  national_tax: Opt(Rate()),
  fixed_amount: Opt(Bool()),
  fixed_qty: Opt(Bool()),
  unit_of_measure: Opt(Str(TEXT_MAX)),
});

const FLAG_NAMES = [
  'skip_cash_discount',
  'skip_surcharge',
  'skip_service_fee',
  'skip_consumer_choice',
  'include_default_tax_to_total',
  'tax_exempt',
  'processor_surcharge_fallback',
  'add_tax_to_total',
] as const;

const AmountsBody = Input({
  processor_id: Opt(Str(100, { description: "the merchant's default processor when absent" })),
  currency: Opt(Str(10, { description: 'ISO 4217, default USD', example: 'USD' })),
  payment_method: Enum(PAYMENT_METHODS),
  transaction_type: Enum(TRANSACTION_TYPES),
  amount: Opt(Cents({ description: 'required unless subtotal, line_items or products is given' })),
  subtotal: Opt(Cents()),
  line_items: Opt(Type.Array(LineItem, { maxItems: 1000 })),
  products: Opt(Type.Array(Product, { maxItems: 1000 })),
  processor_payment_adjustment: Opt(Adjustment()),
  shipping_amount: Opt(Adjustment()),
  addon_amount: Opt(Type.Array(Adjustment(), { maxItems: 100 })),
  discount_amount: Opt(Type.Array(Adjustment(), { maxItems: 100 })),
  duty_amount: Opt(Adjustment()),
  tip_amount: Opt(Adjustment()),
  additional_amounts: Opt(Type.Array(Adjustment(), { maxItems: 100 })),
  tax_amount: Opt(Adjustment()),
  national_tax_amount: Opt(Adjustment()),
  local_tax_amount: Opt(Adjustment()),
  service_fee: Opt(Adjustment()),
  surcharge: Opt(Adjustment()),
  cc_bin: Opt(Str(19, { description: '6 to 19 digits of the card number' })),
  country: Opt(Str(100)),
  state: Opt(Str(100)),
  flags: Opt(Input(Object.fromEntries(FLAG_NAMES.map((name) => [name, Opt(Bool())])))),
  source: Opt(Str(TEXT_MAX)),
});

const NullableCents = () => Nullable(Cents());
const RateOut = () => Nullable(Type.String({ description: 'a percentage like "10.250"' }));
const DisplayValue = () => Output({ value: Cents(), display: Type.Boolean() });

const LineItemResult = Output({
  id: Nullable(Type.String()),
  name: Nullable(Type.String()),
  description: Nullable(Type.String()),
  status: Enum(LINE_ITEM_STATUSES),
  type: Type.Literal('flat'),
  unit_price: Cents(),
  quantity: Type.Number({ minimum: 0 }),
  quantity_shipped: Nullable(Type.Number({ minimum: 0 })),
  product_code: Nullable(Type.String()),
  commodity_code: Nullable(Type.String()),
  unit_of_measure: Nullable(Type.String()),
  alternate_tax_identifier: Nullable(Type.String()),
  taxable: Type.Boolean(),
  local_tax_rate: RateOut(),
  national_tax_rate: RateOut(),
  tax_rate: RateOut(),
  discount_rate: RateOut(),
  discount_amount: Cents(),
  freight_amount: Cents(),
  local_tax_amount: Cents(),
  national_tax_amount: Cents(),
  tax_amount: Cents(),
  amount: Cents(),
});

export const AmountsView = Output(
  {
    line_items: Nullable(Type.Array(LineItemResult)),
    shipping_amount: NullableCents(),
    discount_amount: NullableCents(),
    freight_amount: NullableCents(),
    addon_amount: NullableCents(),
    duty_amount: NullableCents(),
    tip_amount: NullableCents(),
    additional_amounts: Nullable(Type.Array(Cents())),
    tax_amount: NullableCents(),
    national_tax_amount: NullableCents(),
    local_tax_amount: NullableCents(),
    service_fee: NullableCents(),
    surcharge: NullableCents(),
    processor_id: Type.String(),
    payment_method: Enum(PAYMENT_METHODS),
    included_amounts: Output({
      shipping_amount: NullableCents(),
      discount_amount: NullableCents(),
      duty_amount: NullableCents(),
      tip_amount: NullableCents(),
      tax_amount: NullableCents(),
      national_tax_amount: NullableCents(),
      local_tax_amount: NullableCents(),
      service_fee: NullableCents(),
      surcharge: NullableCents(),
    }),
    subtotal: Cents(),
    amount: Cents(),
    additional_total: Cents(),
    total: Cents(),
    features: Output({
      surcharge: Type.Boolean(),
      cash_discount: Type.Boolean(),
      dual_pricing: Type.Boolean(),
      dual_pricing_v2: Type.Boolean(),
    }),
    display: Output({
      subtotal: DisplayValue(),
      amount: DisplayValue(),
      shipping: DisplayValue(),
      freight: DisplayValue(),
      duty: DisplayValue(),
      discount: DisplayValue(),
      service_fee: DisplayValue(),
      surcharge: DisplayValue(),
      tax: DisplayValue(),
      national_tax: DisplayValue(),
      local_tax: DisplayValue(),
      tip: DisplayValue(),
      total: DisplayValue(),
      consumer_choice: Output({ card: Cents(), ach: Cents(), display: Type.Boolean() }),
    }),
    disclaimer: Output({ text: Type.String(), html: Type.String(), display: Type.Boolean() }),
  },
  { title: 'CalculatedAmounts' },
);

const FeesBody = Input({
  type: Enum(['integrations'] as const),
  type_id: Opt(Str(100)),
  processor_id: Opt(Str(100)),
  state: Opt(Str(100, { description: 'billing address state', example: 'IL' })),
  bin: Opt(Str(19, { description: '6 to 19 digits of a card' })),
  customer_id: Opt(Str(100, { description: 'a vaulted customer (its surcharge_exempt flag)' })),
  payment_id: Opt(Str(100, { description: "one of the customer's payment methods" })),
  payment_method: Enum(PAYMENT_METHODS),
  base_amount: Cents(),
});

export const FeesView = Output(
  {
    service_fee: Cents(),
    payment_adjustment: Output({ value: Cents(), type: Enum(['', 'flat'] as const) }),
    requested_amount: Cents(),
    discount_amount: NullableCents(),
    surcharge: Cents(),
  },
  { title: 'Fees' },
);

export const CALCULATION_ROUTES = {
  amounts: route({
    summary: 'Calculate the amounts of a transaction (surcharge, fees, taxes, total)',
    body: AmountsBody,
    responses: { 200: Success(AmountsView) },
    errors: [404],
    idempotent: true,
    examples: {
      body: {
        processor_id: '<processor id>',
        amount: 1000,
        subtotal: 1000,
        currency: 'USD',
        payment_method: 'card',
        transaction_type: 'sale',
      },
    },
  }),
  fees: route({
    summary: 'Look up the fees (surcharge, service fee, payment adjustment) of an amount',
    body: FeesBody,
    responses: { 200: Success(FeesView) },
    errors: [404],
    idempotent: true,
    examples: {
      body: {
        type: 'integrations',
        type_id: '',
        state: 'IL',
        bin: '517246700',
        payment_method: 'card',
        base_amount: 1000,
      },
      response: {
        status: 'success',
        msg: 'success',
        data: {
          service_fee: 0,
          payment_adjustment: { value: 0, type: '' },
          requested_amount: 1350,
          discount_amount: null,
          surcharge: 350,
        },
      },
    },
  }),
};
