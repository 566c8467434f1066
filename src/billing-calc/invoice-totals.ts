/**
 * Invoice totals, per the spec's Create Invoice fields:
 *
 *   item amount  = round(unit_price x quantity) - discount_amount + freight_amount
 *                  (+ the item's own taxes when advanced_fields and taxable,
 *                   unless enable_tax puts tax at the invoice level)
 *   subtotal     = sum of item amounts
 *   tax          = enable_tax: tax_percent of the subtotal, or the flat `tax` when
 *                  tax_percent is "0.000" (or missing); else 0
 *   shipping     = enable_shipping ? shipping : 0
 *   total        = subtotal + tax + shipping + adjustment (adjustment may be negative)
 *   amount_due   = max(0, total - amount_paid - discount_credited)
 */
import { CalcInputError } from './errors';
import {
  fieldPath,
  isAbsent,
  optionalArray,
  optionalBoolean,
  optionalCents,
  optionalRate,
  requireObject,
  requireQuantity,
} from './input';
import { LinePricing, priceLine } from './line-items';
import {
  maxCents,
  percentOfThousandths,
  requireCents,
  requireSignedCents,
  subtractCents,
  sumCents,
} from './money';

export interface InvoiceItemInput {
  unit_price: number;
  quantity: number;
  discount_amount?: number | null;
  freight_amount?: number | null;
  taxable?: boolean | null;
  /** Rate strings ("1.000"); a non-zero rate wins over the matching flat amount. */
  local_tax_rate?: string | null;
  national_tax_rate?: string | null;
  tax_rate?: string | null;
  local_tax?: number | null;
  national_tax?: number | null;
  tax_amount?: number | null;
}

export interface InvoiceTotalsInput {
  items: readonly InvoiceItemInput[];
  advanced_fields?: boolean | null;
  enable_tax?: boolean | null;
  enable_shipping?: boolean | null;
  /** "8.250" = 8.25% of the subtotal; "0.000" = `tax` is a flat amount. */
  tax_percent?: string | null;
  tax?: number | null;
  shipping?: number | null;
  /** May be negative. */
  adjustment?: number | null;
  amount_paid?: number | null;
  discount_credited?: number | null;
}

export interface InvoiceItemTotals {
  discount_amount: number;
  freight_amount: number;
  local_tax: number;
  national_tax: number;
  tax_amount: number;
  amount: number;
}

export interface InvoiceTotals {
  items: InvoiceItemTotals[];
  subtotal: number;
  tax: number;
  shipping: number;
  adjustment: number;
  total: number;
  amount_paid: number;
  discount_credited: number;
  amount_due: number;
}

function itemTotals(value: unknown, path: string, itemTaxes: boolean): InvoiceItemTotals {
  const item = requireObject(value, path);
  const f = (key: string) => fieldPath(path, key);
  if (isAbsent(item.unit_price)) throw new CalcInputError(f('unit_price'), 'is required');
  if (isAbsent(item.quantity)) throw new CalcInputError(f('quantity'), 'is required');
  const pricing: LinePricing = priceLine(
    {
      unit_price: requireCents(item.unit_price, f('unit_price')),
      quantity: requireQuantity(item.quantity, f('quantity')),
      discount_amount: optionalCents(item.discount_amount, f('discount_amount')),
      discount_rate_thousandths: null,
      freight_amount: optionalCents(item.freight_amount, f('freight_amount')),
      taxable: itemTaxes && (optionalBoolean(item.taxable, f('taxable')) ?? false),
      local_tax_rate_thousandths: optionalRate(item.local_tax_rate, f('local_tax_rate')),
      national_tax_rate_thousandths: optionalRate(item.national_tax_rate, f('national_tax_rate')),
      tax_rate_thousandths: optionalRate(item.tax_rate, f('tax_rate')),
      local_tax: optionalCents(item.local_tax, f('local_tax')),
      national_tax: optionalCents(item.national_tax, f('national_tax')),
      tax_amount: optionalCents(item.tax_amount, f('tax_amount')),
    },
    path,
  );
  return {
    discount_amount: pricing.discount,
    freight_amount: pricing.freight,
    local_tax: pricing.local_tax,
    national_tax: pricing.national_tax,
    tax_amount: pricing.tax,
    amount: pricing.amount,
  };
}

/** Validates the invoice's money fields and computes its totals. */
export function invoiceTotals(input: InvoiceTotalsInput): InvoiceTotals {
  const obj = requireObject(input, 'body');
  const items = optionalArray(obj.items, 'items');
  if (items === null) throw new CalcInputError('items', 'is required');
  const advanced = optionalBoolean(obj.advanced_fields, 'advanced_fields') ?? false;
  const enableTax = optionalBoolean(obj.enable_tax, 'enable_tax') ?? false;
  const enableShipping = optionalBoolean(obj.enable_shipping, 'enable_shipping') ?? false;
  const taxPercent = optionalRate(obj.tax_percent, 'tax_percent');
  const flatTax = optionalCents(obj.tax, 'tax') ?? 0;
  const shippingInput = optionalCents(obj.shipping, 'shipping') ?? 0;
  const adjustment = isAbsent(obj.adjustment)
    ? 0
    : requireSignedCents(obj.adjustment, 'adjustment');
  const amountPaid = optionalCents(obj.amount_paid, 'amount_paid') ?? 0;
  const discountCredited = optionalCents(obj.discount_credited, 'discount_credited') ?? 0;

  // Invoice-level tax overrides item-level tax, so items are only taxed without it.
  const itemTaxes = advanced && !enableTax;
  const lines = items.map((item, i) => itemTotals(item, `items[${i}]`, itemTaxes));
  const subtotal = sumCents(
    lines.map((l) => l.amount),
    'subtotal',
  );
  let tax = 0;
  if (enableTax) {
    tax =
      taxPercent === null || taxPercent === 0
        ? flatTax
        : percentOfThousandths(subtotal, taxPercent, 'tax');
  }
  const shipping = enableShipping ? shippingInput : 0;
  const total = sumCents([subtotal, tax, shipping, adjustment], 'total');
  if (total < 0) {
    throw new CalcInputError(
      'adjustment',
      `would make the invoice total negative (${total} cents)`,
    );
  }
  return {
    items: lines,
    subtotal,
    tax,
    shipping,
    adjustment,
    total,
    amount_paid: amountPaid,
    discount_credited: discountCredited,
    amount_due: maxCents(0, subtractCents(total, sumCents([amountPaid, discountCredited]))),
  };
}
