/**
 * `/api/calculate/amounts`: from a validated request and the processor's
 * settings to the spec's response `data`. Pure: same input, same output.
 *
 * Order of operations (docs/calculation.md walks through each with examples):
 *   1. subtotal: given, else the sum of line_items and products, else amount
 *   2. discounts, add-ons, shipping, duty, tip, additional amounts: flat, or a
 *      percentage of the subtotal; discounts never exceed the subtotal
 *   3. price = subtotal - discounts (dual_pricing_v2 on ACH: the cash price;
 *      dual_pricing on a card: plus the program fee, which is then taxed)
 *   4. taxes: flat, or a percentage of the price; else the processor's default
 *   5. service fee: flat, or a percentage of (price + included taxes)
 *   6. surcharge or cash discount fee: rate x (price + included taxes)
 *   7. total = subtotal - discounts + every included component
 * Each component is rounded to the cent once, when computed; totals are sums
 * of rounded components.
 */
import { LineItemInput, ProductInput } from './amounts-request';
import type {
  AmountAdjustment,
  CalculateAmountsRequest,
  LineItemStatus,
  PaymentMethodKind,
} from './amounts-request';
import {
  CalcContext,
  activeFeeProgram,
  cashProgramRate,
  decideSurcharge,
  effectiveSurchargeThousandths,
  surchargeAmount,
} from './fee-programs';
import { LinePricingInput, priceLine } from './line-items';
import {
  Money,
  formatThousandths,
  minCents,
  percentOfThousandths,
  roundCents,
  subtractCents,
  sumCents,
  thousandthsToFraction,
} from './money';
import { ProcessorSettings } from './processor';

export { parseCalculateAmountsRequest } from './amounts-request';
export type { CalcContext } from './fee-programs';

/** One computed line, echoing the request's descriptive fields. */
export interface LineItemResult {
  id: string | null;
  name: string | null;
  description: string | null;
  status: LineItemStatus;
  type: 'flat';
  unit_price: number;
  quantity: number;
  quantity_shipped: number | null;
  product_code: string | null;
  commodity_code: string | null;
  unit_of_measure: string | null;
  alternate_tax_identifier: string | null;
  taxable: boolean;
  local_tax_rate: string | null;
  national_tax_rate: string | null;
  tax_rate: string | null;
  discount_rate: string | null;
  /** Cents taken off the line (discount_amount, or discount_rate of the line's price). */
  discount_amount: number;
  freight_amount: number;
  local_tax_amount: number;
  national_tax_amount: number;
  /** The line's own tax (local + national, or from tax_rate); 0 when not taxable. */
  tax_amount: number;
  /** unit_price x quantity - discount + freight + tax: what the line adds to the subtotal. */
  amount: number;
}

export interface DisplayValue {
  value: number;
  display: boolean;
}

export interface IncludedAmounts {
  shipping_amount: number | null;
  discount_amount: number | null;
  duty_amount: number | null;
  tip_amount: number | null;
  tax_amount: number | null;
  national_tax_amount: number | null;
  local_tax_amount: number | null;
  service_fee: number | null;
  surcharge: number | null;
}

export interface FeeProgramFeatures {
  surcharge: boolean;
  cash_discount: boolean;
  dual_pricing: boolean;
  dual_pricing_v2: boolean;
}

export interface CalculateAmountsDisplay {
  subtotal: DisplayValue;
  amount: DisplayValue;
  shipping: DisplayValue;
  freight: DisplayValue;
  duty: DisplayValue;
  discount: DisplayValue;
  service_fee: DisplayValue;
  surcharge: DisplayValue;
  tax: DisplayValue;
  national_tax: DisplayValue;
  local_tax: DisplayValue;
  tip: DisplayValue;
  total: DisplayValue;
  consumer_choice: { card: number; ach: number; display: boolean };
}

export interface Disclaimer {
  text: string;
  html: string;
  display: boolean;
}

/** The `data` of a `/api/calculate/amounts` response, field for field as in the spec. */
export interface CalculateAmountsResponse {
  line_items: LineItemResult[] | null;
  shipping_amount: number | null;
  /** Sum of all discounts (and, under dual_pricing_v2 on ACH, the cash price reduction). */
  discount_amount: number | null;
  /** Sum of the lines' freight, already inside the subtotal. */
  freight_amount: number | null;
  /** Sum of all add-ons, included or not. */
  addon_amount: number | null;
  duty_amount: number | null;
  tip_amount: number | null;
  /** Each additional amount, in request order. */
  additional_amounts: number[] | null;
  tax_amount: number | null;
  national_tax_amount: number | null;
  local_tax_amount: number | null;
  service_fee: number | null;
  /** The card fee of the active fee program (surcharge, cash discount or dual pricing). */
  surcharge: number | null;
  processor_id: string;
  payment_method: PaymentMethodKind;
  included_amounts: IncludedAmounts;
  subtotal: number;
  amount: number;
  additional_total: number;
  total: number;
  features: FeeProgramFeatures;
  display: CalculateAmountsDisplay;
  disclaimer: Disclaimer;
}

/** A computed component and whether it is added to the total. */
interface Component {
  amount: number;
  included: boolean;
}

/** Internal knobs for callers of the core other than the amounts endpoint. */
export interface AmountsOptions {
  /** Apply the processor's default tax when the request names none (lookup fees does not). */
  applyDefaultTax: boolean;
}

/** Everything the calculation decided, before it is shaped into the response. */
export interface AmountsBreakdown {
  lines: LineItemResult[] | null;
  subtotal: number;
  amount: number;
  freight: number | null;
  discount: number | null;
  /** Part of `discount` that is dual_pricing_v2's cash price reduction (ACH only). */
  cashPriceReduction: number;
  addons: Component[] | null;
  shipping: Component | null;
  duty: Component | null;
  tip: Component | null;
  additional: Component[] | null;
  tax: Component | null;
  nationalTax: Component | null;
  localTax: Component | null;
  serviceFee: Component | null;
  /** The fee program's card fee, reported as `surcharge`. */
  programFee: Component | null;
  features: FeeProgramFeatures;
  /** The surcharge rate charged, in thousandths, when a percentage surcharge applies. */
  surchargeRateThousandths: number | null;
  total: number;
}

function rateText(thousandths: number | null): string | null {
  return thousandths === null ? null : formatThousandths(thousandths);
}

function lineFromItem(item: LineItemInput, index: number): LineItemResult {
  const pricing = priceLine(
    { ...item, local_tax: null, national_tax: null, tax_amount: null },
    `line_items[${index}]`,
  );
  return {
    id: item.id,
    name: item.name,
    description: item.description,
    status: item.status,
    type: item.type,
    unit_price: item.unit_price,
    quantity: item.quantity,
    quantity_shipped: item.quantity_shipped,
    product_code: item.product_code,
    commodity_code: item.commodity_code,
    unit_of_measure: item.unit_of_measure,
    alternate_tax_identifier: item.alternate_tax_identifier,
    taxable: item.taxable,
    local_tax_rate: rateText(item.local_tax_rate_thousandths),
    national_tax_rate: rateText(item.national_tax_rate_thousandths),
    tax_rate: rateText(item.tax_rate_thousandths),
    discount_rate: rateText(item.discount_rate_thousandths),
    discount_amount: pricing.discount,
    freight_amount: pricing.freight,
    local_tax_amount: pricing.local_tax,
    national_tax_amount: pricing.national_tax,
    tax_amount: pricing.tax,
    amount: pricing.amount,
  };
}

function lineFromProduct(product: ProductInput, index: number): LineItemResult {
  // A product carries tax rates but no `taxable` switch: it is taxable when it names a rate.
  const taxable =
    product.local_tax_rate_thousandths !== null || product.national_tax_rate_thousandths !== null;
  const input: LinePricingInput = {
    unit_price: product.price,
    quantity: product.quantity,
    discount_amount: null,
    discount_rate_thousandths: null,
    freight_amount: null,
    taxable,
    local_tax_rate_thousandths: product.local_tax_rate_thousandths,
    national_tax_rate_thousandths: product.national_tax_rate_thousandths,
    tax_rate_thousandths: null,
    local_tax: null,
    national_tax: null,
    tax_amount: null,
  };
  const pricing = priceLine(input, `products[${index}]`);
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    status: 'pending',
    type: 'flat',
    unit_price: product.price,
    quantity: product.quantity,
    quantity_shipped: null,
    product_code: null,
    commodity_code: null,
    unit_of_measure: product.unit_of_measure,
    alternate_tax_identifier: null,
    taxable,
    local_tax_rate: rateText(product.local_tax_rate_thousandths),
    national_tax_rate: rateText(product.national_tax_rate_thousandths),
    tax_rate: null,
    discount_rate: null,
    discount_amount: 0,
    freight_amount: 0,
    local_tax_amount: pricing.local_tax,
    national_tax_amount: pricing.national_tax,
    tax_amount: pricing.tax,
    amount: pricing.amount,
  };
}

/** Flat cents, or `value` thousandths of `base`, rounded. */
function adjustmentAmount(adj: AmountAdjustment, base: number, field: string): number {
  return adj.type === 'flat' ? adj.value : percentOfThousandths(base, adj.value, field);
}

function component(adj: AmountAdjustment | null, base: number, field: string): Component | null {
  return adj === null
    ? null
    : { amount: adjustmentAmount(adj, base, field), included: adj.include };
}

function includedSum(components: readonly (Component | null)[]): number {
  return sumCents(
    components.filter((c): c is Component => c !== null && c.included).map((c) => c.amount),
  );
}

/** The calculation itself, as a breakdown; `calculateAmounts` shapes it for the API. */
export function computeAmounts(
  req: CalculateAmountsRequest,
  processor: ProcessorSettings,
  context: CalcContext = {},
  options: AmountsOptions = { applyDefaultTax: true },
): AmountsBreakdown {
  // 1. Lines and subtotal.
  const hasLines = req.line_items !== null || req.products !== null;
  const lines = hasLines
    ? [...(req.line_items ?? []).map(lineFromItem), ...(req.products ?? []).map(lineFromProduct)]
    : null;
  const lineSum = sumCents(
    (lines ?? []).map((l) => l.amount),
    'line_items',
  );
  const lineTax = sumCents(
    (lines ?? []).map((l) => l.tax_amount),
    'line_items',
  );
  const freight = lines?.some((l) => l.freight_amount > 0)
    ? sumCents(lines.map((l) => l.freight_amount))
    : null;
  const subtotal =
    req.subtotal ?? (lines !== null && lines.length > 0 ? lineSum : (req.amount ?? lineSum));
  const amount = req.amount ?? subtotal;

  // 2. Components that are a percentage of the subtotal.
  const wantedDiscount =
    req.discount_amount === null
      ? null
      : sumCents(
          req.discount_amount.map((d, i) => adjustmentAmount(d, subtotal, `discount_amount[${i}]`)),
        );
  // NOTE: discounts beyond the subtotal would make the price negative; they stop at the subtotal.
  let discount = wantedDiscount === null ? null : minCents(wantedDiscount, subtotal);
  const addons =
    req.addon_amount?.map((a, i) => component(a, subtotal, `addon_amount[${i}]`)!) ?? null;
  const shipping = component(req.shipping_amount, subtotal, 'shipping_amount');
  const duty = component(req.duty_amount, subtotal, 'duty_amount');
  const tip = component(req.tip_amount, subtotal, 'tip_amount');
  const additional =
    req.additional_amounts?.map((a, i) => component(a, subtotal, `additional_amounts[${i}]`)!) ??
    null;

  // 3. The price the taxes and fees are computed on.
  const program = activeFeeProgram(req, processor);
  const cashRate = cashProgramRate(req, processor);
  let price = subtractCents(subtotal, discount ?? 0);
  let cashPriceReduction = 0;
  let dualPricingFee: number | null = null;
  if (program === 'dual_pricing_v2' && cashRate !== null && req.payment_method === 'ach') {
    // The posted price holds the card fee; paying by ACH pays price / (1 + rate).
    const cashPrice = roundCents(
      new Money(price).dividedBy(new Money(1).plus(thousandthsToFraction(cashRate))),
      'dual_pricing_v2',
    );
    cashPriceReduction = subtractCents(price, cashPrice);
    discount = sumCents([discount ?? 0, cashPriceReduction]);
    price = cashPrice;
  }
  if (program === 'dual_pricing' && cashRate !== null) {
    dualPricingFee = percentOfThousandths(price, cashRate, 'dual_pricing');
  }
  const taxBase = sumCents([price, dualPricingFee ?? 0]);

  // 4. Taxes.
  let tax: Component | null = null;
  let nationalTax: Component | null = null;
  let localTax: Component | null = null;
  const requestNamesTax =
    req.tax_amount !== null || req.national_tax_amount !== null || req.local_tax_amount !== null;
  if (requestNamesTax) {
    const forced = req.flags.add_tax_to_total;
    const taxed = (adj: AmountAdjustment | null, field: string): Component | null => {
      const c = component(adj, taxBase, field);
      return c === null ? null : { amount: c.amount, included: c.included || forced };
    };
    tax = taxed(req.tax_amount, 'tax_amount');
    nationalTax = taxed(req.national_tax_amount, 'national_tax_amount');
    localTax = taxed(req.local_tax_amount, 'local_tax_amount');
  } else if (
    options.applyDefaultTax &&
    processor.default_tax_rate_thousandths > 0 &&
    // NOTE: lines that carry their own tax are not taxed a second time by the default rate.
    lineTax === 0
  ) {
    tax = {
      amount: percentOfThousandths(taxBase, processor.default_tax_rate_thousandths, 'tax_amount'),
      included:
        req.flags.include_default_tax_to_total ||
        req.flags.add_tax_to_total ||
        processor.add_tax_to_total,
    };
  }
  if (req.flags.tax_exempt) {
    tax = { amount: 0, included: tax?.included ?? false };
    nationalTax = { amount: 0, included: nationalTax?.included ?? false };
    localTax = { amount: 0, included: localTax?.included ?? false };
  }
  const includedTax = includedSum([tax, nationalTax, localTax]);
  const feeBase = sumCents([taxBase, includedTax]);

  // 5. Service fee.
  let serviceFee: Component | null = null;
  if (!req.flags.skip_service_fee) {
    const named = req.service_fee ?? req.processor_payment_adjustment;
    const fromProcessor: AmountAdjustment | null =
      processor.service_fee === null ? null : { ...processor.service_fee, include: true };
    serviceFee = component(named ?? fromProcessor, feeBase, 'service_fee');
  }

  // 6. Fee programs.
  let programFee: Component | null = null;
  let surchargeRateThousandths: number | null = null;
  const features: FeeProgramFeatures = {
    surcharge: false,
    cash_discount: false,
    dual_pricing: false,
    dual_pricing_v2: false,
  };
  if (program === 'surcharge') {
    const decision = decideSurcharge(req, processor, context);
    if (decision.applies) {
      const fee = surchargeAmount(decision, feeBase);
      if (fee > 0) {
        programFee = { amount: fee, included: decision.include };
        features.surcharge = true;
        surchargeRateThousandths = effectiveSurchargeThousandths(decision);
      }
    }
  } else if (program === 'cash_discount' && cashRate !== null) {
    const fee = percentOfThousandths(feeBase, cashRate, 'surcharge');
    if (fee > 0) {
      programFee = { amount: fee, included: true };
      features.cash_discount = true;
    }
  } else if (program === 'dual_pricing' && dualPricingFee !== null && dualPricingFee > 0) {
    programFee = { amount: dualPricingFee, included: true };
    features.dual_pricing = true;
  } else if (program === 'dual_pricing_v2' && cashRate !== null) {
    features.dual_pricing_v2 = true;
  }

  // 7. Total.
  const total = sumCents([
    subtractCents(subtotal, discount ?? 0),
    includedSum([
      ...(addons ?? []),
      shipping,
      duty,
      tip,
      ...(additional ?? []),
      tax,
      nationalTax,
      localTax,
      serviceFee,
      programFee,
    ]),
  ]);

  return {
    lines,
    subtotal,
    amount,
    freight,
    discount,
    cashPriceReduction,
    addons,
    shipping,
    duty,
    tip,
    additional,
    tax,
    nationalTax,
    localTax,
    serviceFee,
    programFee,
    features,
    surchargeRateThousandths,
    total,
  };
}

function valueOf(c: Component | null): number | null {
  return c === null ? null : c.amount;
}

function includedValue(c: Component | null): number | null {
  return c !== null && c.included ? c.amount : null;
}

/** A line a checkout should show: present, non-zero and part of the total. */
function shown(c: Component | null): DisplayValue {
  return { value: c?.amount ?? 0, display: c !== null && c.included && c.amount > 0 };
}

const DEFAULT_SURCHARGE_DISCLOSURE =
  'is added to payments made by credit card. It is not greater than our cost of accepting ' +
  'credit cards. No surcharge is added to debit card, prepaid card or ACH payments.';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function disclaimerFor(breakdown: AmountsBreakdown, processor: ProcessorSettings): Disclaimer {
  if (!breakdown.features.surcharge) return { text: '', html: '', display: false };
  const rate = breakdown.surchargeRateThousandths;
  const text =
    processor.surcharge_disclosure_text ??
    (rate === null
      ? `A surcharge ${DEFAULT_SURCHARGE_DISCLOSURE}`
      : `A surcharge of ${formatThousandths(rate)}% ${DEFAULT_SURCHARGE_DISCLOSURE}`);
  return { text, html: `<p>${escapeHtml(text)}</p>`, display: true };
}

function consumerChoice(
  req: CalculateAmountsRequest,
  processor: ProcessorSettings,
  context: CalcContext,
  options: AmountsOptions,
): { card: number; ach: number; display: boolean } {
  const none = { card: 0, ach: 0, display: false };
  if (req.flags.skip_consumer_choice || activeFeeProgram(req, processor) === 'none') return none;
  const card = computeAmounts(
    { ...req, payment_method: 'card' },
    processor,
    context,
    options,
  ).total;
  const ach = computeAmounts({ ...req, payment_method: 'ach' }, processor, context, options).total;
  return card === ach ? none : { card, ach, display: true };
}

/** Shapes a breakdown as the spec's response `data`. */
export function amountsResponse(
  req: CalculateAmountsRequest,
  processor: ProcessorSettings,
  breakdown: AmountsBreakdown,
  choice: { card: number; ach: number; display: boolean },
  disclaimer: Disclaimer,
): CalculateAmountsResponse {
  const b = breakdown;
  const discount: Component | null =
    b.discount === null ? null : { amount: b.discount, included: true };
  const additionalTotal = sumCents((b.additional ?? []).map((c) => c.amount));
  return {
    line_items: b.lines,
    shipping_amount: valueOf(b.shipping),
    discount_amount: b.discount,
    freight_amount: b.freight,
    addon_amount: b.addons === null ? null : sumCents(b.addons.map((c) => c.amount)),
    duty_amount: valueOf(b.duty),
    tip_amount: valueOf(b.tip),
    additional_amounts: b.additional === null ? null : b.additional.map((c) => c.amount),
    tax_amount: valueOf(b.tax),
    national_tax_amount: valueOf(b.nationalTax),
    local_tax_amount: valueOf(b.localTax),
    service_fee: valueOf(b.serviceFee),
    surcharge: valueOf(b.programFee),
    processor_id: processor.id,
    payment_method: req.payment_method,
    included_amounts: {
      shipping_amount: includedValue(b.shipping),
      discount_amount: b.discount,
      duty_amount: includedValue(b.duty),
      tip_amount: includedValue(b.tip),
      tax_amount: includedValue(b.tax),
      national_tax_amount: includedValue(b.nationalTax),
      local_tax_amount: includedValue(b.localTax),
      service_fee: includedValue(b.serviceFee),
      surcharge: includedValue(b.programFee),
    },
    subtotal: b.subtotal,
    amount: b.amount,
    additional_total: additionalTotal,
    total: b.total,
    features: { ...b.features },
    display: {
      subtotal: { value: b.subtotal, display: true },
      amount: { value: b.amount, display: true },
      shipping: shown(b.shipping),
      freight: { value: b.freight ?? 0, display: (b.freight ?? 0) > 0 },
      duty: shown(b.duty),
      discount: shown(discount),
      service_fee: shown(b.serviceFee),
      // Cash discount and dual pricing fees are part of the card price, not a separate line.
      surcharge: {
        value: b.programFee?.amount ?? 0,
        display: b.features.surcharge && shown(b.programFee).display,
      },
      tax: shown(b.tax),
      national_tax: shown(b.nationalTax),
      local_tax: shown(b.localTax),
      tip: shown(b.tip),
      total: { value: b.total, display: true },
      consumer_choice: choice,
    },
    disclaimer,
  };
}

/**
 * The `/api/calculate/amounts` response `data` for a parsed request.
 * `context` carries what the request only names by id: the saved customer's and
 * payment method's flags, and optionally a policy and a BIN database.
 */
export function calculateAmounts(
  req: CalculateAmountsRequest,
  processor: ProcessorSettings,
  context: CalcContext = {},
): CalculateAmountsResponse {
  const options: AmountsOptions = { applyDefaultTax: true };
  const breakdown = computeAmounts(req, processor, context, options);
  return amountsResponse(
    req,
    processor,
    breakdown,
    consumerChoice(req, processor, context, options),
    disclaimerFor(breakdown, processor),
  );
}
