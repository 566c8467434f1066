/**
 * The `/api/calculate/amounts` request: its types and the parser that turns an
 * untrusted JSON body into them. Everything the calculation relies on is
 * checked here, so `calculateAmounts` can assume well-formed input.
 */
import { requireBin } from './bin-table';
import { CalcInputError, describeValue } from './errors';
import {
  fieldPath,
  isAbsent,
  optionalArray,
  optionalBoolean,
  optionalCents,
  optionalObject,
  optionalRate,
  optionalString,
  requireCentsOrDigits,
  requireObject,
  requireOneOf,
  requireQuantity,
} from './input';
import { requireCents, requireThousandths } from './money';

export const TRANSACTION_TYPES = [
  'verification',
  'auth',
  'sale',
  'void',
  'refund',
  'credit',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const PAYMENT_METHODS = ['card', 'ach'] as const;
export type PaymentMethodKind = (typeof PAYMENT_METHODS)[number];

export const ADJUSTMENT_TYPES = ['flat', 'percentage'] as const;
export type AdjustmentType = (typeof ADJUSTMENT_TYPES)[number];

export const LINE_ITEM_STATUSES = ['paid', 'pending', 'rejected'] as const;
export type LineItemStatus = (typeof LINE_ITEM_STATUSES)[number];

/**
 * One priced component of the request (`shipping_amount`, `discount_amount[i]`, ...).
 * `value` is cents when `type` is 'flat' and thousandths of a percent when
 * 'percentage' (10000 = 10.000%). `include` adds the computed amount to the total.
 */
export interface AmountAdjustment {
  type: AdjustmentType;
  value: number;
  include: boolean;
}

export interface LineItemInput {
  id: string | null;
  name: string | null;
  description: string | null;
  status: LineItemStatus;
  /** Only 'flat' lines exist: unit_price is cents. */
  type: 'flat';
  unit_price: number;
  quantity: number;
  quantity_shipped: number | null;
  product_code: string | null;
  commodity_code: string | null;
  unit_of_measure: string | null;
  alternate_tax_identifier: string | null;
  taxable: boolean;
  local_tax_rate_thousandths: number | null;
  national_tax_rate_thousandths: number | null;
  tax_rate_thousandths: number | null;
  discount_amount: number | null;
  discount_rate_thousandths: number | null;
  freight_amount: number | null;
}

export interface ProductInput {
  id: string | null;
  name: string | null;
  description: string | null;
  /** Cents; the spec types it as a string, so "1000" and 1000 are both accepted. */
  price: number;
  /** Not in the spec; defaults to 1. */
  quantity: number;
  local_tax_rate_thousandths: number | null;
  national_tax_rate_thousandths: number | null;
  fixed_amount: boolean;
  fixed_qty: boolean;
  unit_of_measure: string | null;
}

export interface CalculateAmountsFlags {
  skip_cash_discount: boolean;
  skip_surcharge: boolean;
  skip_service_fee: boolean;
  skip_consumer_choice: boolean;
  include_default_tax_to_total: boolean;
  tax_exempt: boolean;
  processor_surcharge_fallback: boolean;
  add_tax_to_total: boolean;
}

const FLAG_NAMES: readonly (keyof CalculateAmountsFlags)[] = [
  'skip_cash_discount',
  'skip_surcharge',
  'skip_service_fee',
  'skip_consumer_choice',
  'include_default_tax_to_total',
  'tax_exempt',
  'processor_surcharge_fallback',
  'add_tax_to_total',
];

export function noFlags(): CalculateAmountsFlags {
  return {
    skip_cash_discount: false,
    skip_surcharge: false,
    skip_service_fee: false,
    skip_consumer_choice: false,
    include_default_tax_to_total: false,
    tax_exempt: false,
    processor_surcharge_fallback: false,
    add_tax_to_total: false,
  };
}

export interface CalculateAmountsRequest {
  processor_id: string | null;
  currency: string;
  payment_method: PaymentMethodKind;
  transaction_type: TransactionType;
  amount: number | null;
  subtotal: number | null;
  line_items: LineItemInput[] | null;
  products: ProductInput[] | null;
  processor_payment_adjustment: AmountAdjustment | null;
  shipping_amount: AmountAdjustment | null;
  addon_amount: AmountAdjustment[] | null;
  discount_amount: AmountAdjustment[] | null;
  duty_amount: AmountAdjustment | null;
  tip_amount: AmountAdjustment | null;
  additional_amounts: AmountAdjustment[] | null;
  tax_amount: AmountAdjustment | null;
  national_tax_amount: AmountAdjustment | null;
  local_tax_amount: AmountAdjustment | null;
  service_fee: AmountAdjustment | null;
  surcharge: AmountAdjustment | null;
  cc_bin: string | null;
  country: string | null;
  /** Upper-cased billing state ("CO"). */
  state: string | null;
  flags: CalculateAmountsFlags;
  source: string | null;
}

/** A minimal valid request, for callers that build one in code (lookup fees, tests). */
export function amountsRequest(
  fields: Partial<CalculateAmountsRequest> &
    Pick<CalculateAmountsRequest, 'payment_method' | 'transaction_type'>,
): CalculateAmountsRequest {
  return {
    processor_id: null,
    currency: 'USD',
    amount: null,
    subtotal: null,
    line_items: null,
    products: null,
    processor_payment_adjustment: null,
    shipping_amount: null,
    addon_amount: null,
    discount_amount: null,
    duty_amount: null,
    tip_amount: null,
    additional_amounts: null,
    tax_amount: null,
    national_tax_amount: null,
    local_tax_amount: null,
    service_fee: null,
    surcharge: null,
    cc_bin: null,
    country: null,
    state: null,
    source: null,
    ...fields,
    flags: { ...noFlags(), ...fields.flags },
  };
}

export function parseAdjustment(value: unknown, field: string): AmountAdjustment | null {
  const obj = optionalObject(value, field);
  if (obj === null) return null;
  const type = requireOneOf(obj.type, fieldPath(field, 'type'), ADJUSTMENT_TYPES);
  const valueField = fieldPath(field, 'value');
  if (isAbsent(obj.value)) throw new CalcInputError(valueField, 'is required');
  const amount =
    type === 'flat'
      ? requireCents(obj.value, valueField)
      : requireThousandths(obj.value, valueField);
  const include = optionalBoolean(obj.include, fieldPath(field, 'include')) ?? false;
  return { type, value: amount, include };
}

function parseAdjustmentList(value: unknown, field: string): AmountAdjustment[] | null {
  const list = optionalArray(value, field);
  if (list === null) return null;
  return list.map((entry, i) => {
    const path = `${field}[${i}]`;
    const parsed = parseAdjustment(entry, path);
    if (parsed === null) throw new CalcInputError(path, 'must be an object, got null');
    return parsed;
  });
}

function parseLineItem(value: unknown, path: string): LineItemInput {
  const obj = requireObject(value, path);
  const f = (key: string) => fieldPath(path, key);
  if (isAbsent(obj.unit_price)) throw new CalcInputError(f('unit_price'), 'is required');
  if (isAbsent(obj.quantity)) throw new CalcInputError(f('quantity'), 'is required');
  const type = isAbsent(obj.type) ? 'flat' : requireOneOf(obj.type, f('type'), ADJUSTMENT_TYPES);
  if (type === 'percentage') {
    // A percentage line has no defined base in the spec; refusing it beats guessing a price.
    throw new CalcInputError(
      f('type'),
      "'percentage' is not supported for line items; send unit_price in cents with type 'flat'",
    );
  }
  const discountAmount = optionalCents(obj.discount_amount, f('discount_amount'));
  const discountRate = optionalRate(obj.discount_rate, f('discount_rate'));
  if (discountAmount !== null && discountRate !== null) {
    throw new CalcInputError(
      f('discount_rate'),
      'cannot be combined with discount_amount; send one of them',
    );
  }
  return {
    id: optionalString(obj.id, f('id')),
    name: optionalString(obj.name, f('name')),
    description: optionalString(obj.description, f('description')),
    status: isAbsent(obj.status)
      ? 'pending'
      : requireOneOf(obj.status, f('status'), LINE_ITEM_STATUSES),
    type,
    unit_price: requireCents(obj.unit_price, f('unit_price')),
    quantity: requireQuantity(obj.quantity, f('quantity')),
    quantity_shipped: isAbsent(obj.quantity_shipped)
      ? null
      : requireQuantity(obj.quantity_shipped, f('quantity_shipped')),
    product_code: optionalString(obj.product_code, f('product_code')),
    commodity_code: optionalString(obj.commodity_code, f('commodity_code')),
    unit_of_measure: optionalString(obj.unit_of_measure, f('unit_of_measure')),
    alternate_tax_identifier: optionalString(
      obj.alternate_tax_identifier,
      f('alternate_tax_identifier'),
    ),
    taxable: optionalBoolean(obj.taxable, f('taxable')) ?? false,
    local_tax_rate_thousandths: optionalRate(obj.local_tax_rate, f('local_tax_rate')),
    national_tax_rate_thousandths: optionalRate(obj.national_tax_rate, f('national_tax_rate')),
    tax_rate_thousandths: optionalRate(obj.tax_rate, f('tax_rate')),
    discount_amount: discountAmount,
    discount_rate_thousandths: discountRate,
    freight_amount: optionalCents(obj.freight_amount, f('freight_amount')),
  };
}

function parseProduct(value: unknown, path: string): ProductInput {
  const obj = requireObject(value, path);
  const f = (key: string) => fieldPath(path, key);
  if (isAbsent(obj.price)) throw new CalcInputError(f('price'), 'is required');
  return {
    id: optionalString(obj.id, f('id')),
    name: optionalString(obj.name, f('name')),
    description: optionalString(obj.description, f('description')),
    price: requireCentsOrDigits(obj.price, f('price')),
    quantity: isAbsent(obj.quantity) ? 1 : requireQuantity(obj.quantity, f('quantity')),
    local_tax_rate_thousandths: optionalRate(obj.local_tax, f('local_tax')),
    national_tax_rate_thousandths: optionalRate(obj.national_tax, f('national_tax')),
    fixed_amount: optionalBoolean(obj.fixed_amount, f('fixed_amount')) ?? false,
    fixed_qty: optionalBoolean(obj.fixed_qty, f('fixed_qty')) ?? false,
    unit_of_measure: optionalString(obj.unit_of_measure, f('unit_of_measure')),
  };
}

function parseFlags(value: unknown): CalculateAmountsFlags {
  const obj = optionalObject(value, 'flags');
  const flags = noFlags();
  if (obj === null) return flags;
  for (const name of FLAG_NAMES) {
    flags[name] = optionalBoolean(obj[name], `flags.${name}`) ?? false;
  }
  return flags;
}

function parseCurrency(value: unknown): string {
  if (isAbsent(value)) return 'USD';
  if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value.trim())) {
    throw new CalcInputError(
      'currency',
      `must be a 3-letter ISO 4217 code like "USD", got ${describeValue(value)}`,
    );
  }
  return value.trim().toUpperCase();
}

function parseState(value: unknown, field: string): string | null {
  const state = optionalString(value, field);
  if (state === null || state.trim() === '') return null;
  return state.trim().toUpperCase();
}

function nonEmpty<T>(list: T[] | null): boolean {
  return list !== null && list.length > 0;
}

/**
 * Validates a `/api/calculate/amounts` body. Unknown keys are ignored; every
 * known key is checked, and the first problem throws a CalcInputError whose
 * `field` is the offending path.
 */
export function parseCalculateAmountsRequest(body: unknown): CalculateAmountsRequest {
  const obj = requireObject(body, 'body');
  const lineItemsRaw = optionalArray(obj.line_items, 'line_items');
  const productsRaw = optionalArray(obj.products, 'products');
  const request: CalculateAmountsRequest = {
    processor_id: optionalString(obj.processor_id, 'processor_id'),
    currency: parseCurrency(obj.currency),
    payment_method: requireOneOf(obj.payment_method, 'payment_method', PAYMENT_METHODS),
    transaction_type: requireOneOf(obj.transaction_type, 'transaction_type', TRANSACTION_TYPES),
    amount: optionalCents(obj.amount, 'amount'),
    subtotal: optionalCents(obj.subtotal, 'subtotal'),
    line_items: lineItemsRaw?.map((item, i) => parseLineItem(item, `line_items[${i}]`)) ?? null,
    products: productsRaw?.map((item, i) => parseProduct(item, `products[${i}]`)) ?? null,
    processor_payment_adjustment: parseAdjustment(
      obj.processor_payment_adjustment,
      'processor_payment_adjustment',
    ),
    shipping_amount: parseAdjustment(obj.shipping_amount, 'shipping_amount'),
    addon_amount: parseAdjustmentList(obj.addon_amount, 'addon_amount'),
    discount_amount: parseAdjustmentList(obj.discount_amount, 'discount_amount'),
    duty_amount: parseAdjustment(obj.duty_amount, 'duty_amount'),
    tip_amount: parseAdjustment(obj.tip_amount, 'tip_amount'),
    additional_amounts: parseAdjustmentList(obj.additional_amounts, 'additional_amounts'),
    tax_amount: parseAdjustment(obj.tax_amount, 'tax_amount'),
    national_tax_amount: parseAdjustment(obj.national_tax_amount, 'national_tax_amount'),
    local_tax_amount: parseAdjustment(obj.local_tax_amount, 'local_tax_amount'),
    service_fee: parseAdjustment(obj.service_fee, 'service_fee'),
    surcharge: parseAdjustment(obj.surcharge, 'surcharge'),
    cc_bin: isAbsent(obj.cc_bin) || obj.cc_bin === '' ? null : requireBin(obj.cc_bin, 'cc_bin'),
    country: parseState(obj.country, 'country'),
    state: parseState(obj.state, 'state'),
    flags: parseFlags(obj.flags),
    source: optionalString(obj.source, 'source'),
  };
  if (
    request.amount === null &&
    request.subtotal === null &&
    !nonEmpty(request.line_items) &&
    !nonEmpty(request.products)
  ) {
    throw new CalcInputError(
      'amount',
      'is required when subtotal, line_items and products are all missing; send one of them',
    );
  }
  return request;
}
