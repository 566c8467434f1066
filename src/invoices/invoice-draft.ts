/**
 * Reads and validates a Create (or Update) Invoice body, field by field as the spec lists
 * them, and computes the totals with the calculation core. Pure: no database, no clock.
 * Fields are read with the shell's input kit (src/platform/http/input.ts); every problem is a
 * ValidationError naming the field (400).
 */
import { CalcInputError, InvoiceTotals, invoiceTotals } from '../billing-calc';
import { readDateInput } from '../billing-calc/calendar';
import { ValidationError } from '../platform/errors/errors';
import {
  isAbsent as absent,
  optionalBoolean,
  optionalCents,
  optionalEmail,
  optionalOneOf,
  optionalString,
  requiredOneOf,
  requiredString,
  type Body,
} from '../platform/http/input';
import { canonicalLocale, isActiveCurrency } from '../platform/money/currency';
import { InvoiceAddress, PaymentMethodType, SendVia, StoredInvoiceItem } from './invoice.entity';

export type ItemInput = Omit<StoredInvoiceItem, 'id' | 'computed'>;

/** An address given in full, or only as the id of a stored address (resolved by the service). */
export type AddressRef =
  | { kind: 'inline'; address: InvoiceAddress }
  | { kind: 'stored'; id: string; overrides: Partial<InvoiceAddress> };

export interface InvoiceDraft {
  currency: string;
  /** BCP 47; null: the merchant's locale. */
  locale: string | null;
  companyName: string;
  companyLogoUrl: string;
  customerNumber: string;
  customerId: string;
  invoiceNumber: string | null;
  payableTo: AddressRef;
  billTo: AddressRef;
  dateDue: Date;
  items: ItemInput[];
  advancedFields: boolean;
  enableTax: boolean;
  enableShipping: boolean;
  requireShippingDetails: boolean;
  requireBillingDetailsOnPaymentOnly: boolean;
  taxPercent: string;
  tax: number;
  shipping: number;
  amountPaid: number;
  serviceFeesPaid: number;
  surchargePaid: number;
  discountCredited: number;
  adjustment: number;
  allowPartialPayment: boolean;
  transactionType: 'sale' | 'authorize';
  paymentMethods: PaymentMethodType[];
  cardProcessorId: string;
  achProcessorId: string;
  message: string;
  sendVia: SendVia;
  emailTo: string;
}

export interface ParsedInvoice {
  draft: InvoiceDraft;
  totals: InvoiceTotals;
}

const PAYMENT_METHODS: readonly PaymentMethodType[] = ['card', 'ach', 'mail'];
const SEND_VIA: readonly SendVia[] = ['email', 'text', 'both', 'none'];
/** A string field, trimmed; `""` when not given (required: "is required"). */
function text(body: Body, field: string, path: string, max = 255, required = false): string {
  const rule = { max };
  return required
    ? requiredString(body[field], path, rule)
    : (optionalString(body[field], path, rule) ?? '');
}

function flag(body: Body, field: string): boolean {
  return optionalBoolean(body[field], field) ?? false;
}

function oneOf<T extends string>(
  body: Body,
  field: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  if (fallback === undefined) return requiredOneOf(body[field], field, allowed);
  return optionalOneOf(body[field], field, allowed) ?? fallback;
}

/** Cents the calculation core does not read (service_fees_paid, surcharge_paid). */
function cents(body: Body, field: string): number {
  return optionalCents(body[field], field) ?? 0;
}

function email(body: Body, field: string, path: string): string {
  return optionalEmail(body[field], path) ?? '';
}

const POSTAL_CODES: Readonly<Record<string, RegExp>> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$/,
  MX: /^\d{5}$/,
};

const ADDRESS_FIELDS = [
  'first_name',
  'last_name',
  'company',
  'address_line_1',
  'address_line_2',
  'city',
  'state',
  'postal_code',
  'country',
  'phone',
  'fax',
  'email',
] as const;

/** Validates a full address (after a stored one has been filled in, too). */
export function validateAddress(raw: Body, path: string): InvoiceAddress {
  const f = (key: string) => `${path}.${key}`;
  const address: InvoiceAddress = {
    id: text(raw, 'id', f('id'), 64),
    first_name: text(raw, 'first_name', f('first_name')),
    last_name: text(raw, 'last_name', f('last_name')),
    company: text(raw, 'company', f('company')),
    address_line_1: text(raw, 'address_line_1', f('address_line_1'), 255, true),
    address_line_2: text(raw, 'address_line_2', f('address_line_2')),
    city: text(raw, 'city', f('city'), 100, true),
    state: text(raw, 'state', f('state'), 2, true).toUpperCase(),
    postal_code: text(raw, 'postal_code', f('postal_code'), 16, true),
    country: text(raw, 'country', f('country'), 2, true).toUpperCase(),
    phone: text(raw, 'phone', f('phone'), 32),
    fax: text(raw, 'fax', f('fax'), 32),
    email: email(raw, 'email', f('email')),
  };
  if (!/^[A-Z0-9]{2}$/.test(address.state)) {
    throw new ValidationError(f('state'), 'must be a 2-character code ("KS", "QC")');
  }
  if (!/^[A-Z]{2}$/.test(address.country)) {
    throw new ValidationError(f('country'), 'must be a 2-letter country code ("US", "CA")');
  }
  const pattern = POSTAL_CODES[address.country] ?? /^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$/;
  if (!pattern.test(address.postal_code)) {
    throw new ValidationError(
      f('postal_code'),
      `is not a valid postal code for country ${address.country}`,
    );
  }
  return address;
}

export const EMPTY_ADDRESS: InvoiceAddress = {
  id: '',
  first_name: '',
  last_name: '',
  company: '',
  address_line_1: '',
  address_line_2: '',
  city: '',
  state: '',
  postal_code: '',
  country: '',
  phone: '',
  fax: '',
  email: '',
};

function addressRef(body: Body, field: 'payable_to' | 'bill_to', required: boolean): AddressRef {
  const raw = body[field];
  if (absent(raw)) {
    if (required) throw new ValidationError(field, 'is required');
    return { kind: 'inline', address: { ...EMPTY_ADDRESS } };
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError(field, 'must be an object');
  }
  const obj = raw as Body;
  const id = text(obj, 'id', `${field}.id`, 64);
  if (id !== '' && absent(obj.address_line_1)) {
    // Only the stored address's id: the service fills it in; given fields override it.
    const overrides: Partial<InvoiceAddress> = {};
    for (const key of ADDRESS_FIELDS) {
      if (!absent(obj[key])) overrides[key] = text(obj, key, `${field}.${key}`);
    }
    return { kind: 'stored', id, overrides };
  }
  return { kind: 'inline', address: validateAddress(obj, field) };
}

/**
 * date_due: a date alone ("2026-12-15") is that day in the merchant's time zone, due from its
 * local midnight (the spec's sample "2019-02-13T06:00:00Z" is local midnight in US Central);
 * a date and time is that instant (wall-clock time in the merchant's zone without a zone).
 * Calendar-impossible dates are refused.
 */
function parseDateDue(body: Body, timeZone: string): Date {
  const value = body.date_due;
  if (absent(value) || value === '') throw new ValidationError('date_due', 'is required');
  const problem =
    'must be a real date ("2026-12-15", the day in the merchant\'s time zone) or date-time ("2021-02-13T06:00:00.000Z")';
  if (typeof value !== 'string') throw new ValidationError('date_due', problem);
  const read = readDateInput(value, timeZone);
  if (!read.ok) throw new ValidationError('date_due', problem);
  const year = Number(read.localDate.slice(0, 4));
  if (year < 2000 || year > 9999) throw new ValidationError('date_due', 'is out of range');
  return read.instant;
}

function item(raw: unknown, index: number): ItemInput {
  const path = `items[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ValidationError(path, 'must be an object');
  }
  const obj = raw as Body;
  const f = (key: string) => `${path}.${key}`;
  const status = obj.status ?? 'pending';
  if (status !== 'pending' && status !== 'paid') {
    throw new ValidationError(f('status'), 'must be "pending" or "paid"');
  }
  const qtyShipped = obj.quantity_shipped;
  if (
    !absent(qtyShipped) &&
    (typeof qtyShipped !== 'number' || !Number.isSafeInteger(qtyShipped) || qtyShipped < 0)
  ) {
    throw new ValidationError(f('quantity_shipped'), 'must be a non-negative integer');
  }
  const rate = (key: string) => {
    const v = obj[key];
    if (absent(v)) return '';
    if (typeof v !== 'string') throw new ValidationError(f(key), 'must be a rate string ("1.000")');
    return v.trim();
  };
  // Money and quantities are validated by the calculation core (invoiceTotals); they are
  // copied as given here.
  const num = (key: string) => (typeof obj[key] === 'number' ? (obj[key] as number) : 0);
  return {
    status,
    type: text(obj, 'type', f('type'), 64),
    name: text(obj, 'name', f('name')),
    description: text(obj, 'description', f('description'), 1000),
    unit_price: num('unit_price'),
    quantity: typeof obj.quantity === 'string' ? Number(obj.quantity) : num('quantity'),
    quantity_shipped: (qtyShipped as number | undefined) ?? 0,
    product_code: text(obj, 'product_code', f('product_code'), 64),
    commodity_code: text(obj, 'commodity_code', f('commodity_code'), 64),
    unit_of_measure: text(obj, 'unit_of_measure', f('unit_of_measure'), 32),
    alternate_tax_identifier: text(
      obj,
      'alternate_tax_identifier',
      f('alternate_tax_identifier'),
      64,
    ),
    taxable: obj.taxable === undefined || obj.taxable === null ? false : (obj.taxable as boolean),
    local_tax_rate: rate('local_tax_rate'),
    national_tax_rate: rate('national_tax_rate'),
    tax_rate: rate('tax_rate'),
    local_tax: num('local_tax'),
    national_tax: num('national_tax'),
    tax_amount: num('tax_amount'),
    discount_amount: num('discount_amount'),
    freight_amount: num('freight_amount'),
  };
}

/** The core's message already starts with the field path; the API's names field then problem. */
function asValidationError(err: unknown): never {
  if (err instanceof CalcInputError) throw new ValidationError(err.field, err.problem);
  throw err;
}

/** Totals for a draft, by the calculation core. */
export function totalsOf(draft: InvoiceDraft): InvoiceTotals {
  try {
    return invoiceTotals({
      items: draft.items.map((i) => ({
        unit_price: i.unit_price,
        quantity: i.quantity,
        discount_amount: i.discount_amount,
        freight_amount: i.freight_amount,
        taxable: i.taxable,
        local_tax_rate: i.local_tax_rate,
        national_tax_rate: i.national_tax_rate,
        tax_rate: i.tax_rate,
        local_tax: i.local_tax,
        national_tax: i.national_tax,
        tax_amount: i.tax_amount,
      })),
      advanced_fields: draft.advancedFields,
      enable_tax: draft.enableTax,
      enable_shipping: draft.enableShipping,
      tax_percent: draft.taxPercent === '' ? null : draft.taxPercent,
      tax: draft.tax,
      shipping: draft.shipping,
      adjustment: draft.adjustment,
      amount_paid: draft.amountPaid,
      discount_credited: draft.discountCredited,
    });
  } catch (err) {
    asValidationError(err);
  }
}

/** Validates the body's raw money fields with the core before they are copied. */
function validateMoneyFields(body: Body): void {
  const items = body.items;
  if (absent(items)) throw new ValidationError('items', 'is required');
  if (!Array.isArray(items)) throw new ValidationError('items', 'must be an array');
  if (items.length === 0) throw new ValidationError('items', 'must have at least one item');
  if (items.length > 500) throw new ValidationError('items', 'must have at most 500 items');
  try {
    invoiceTotals({
      items: items as never,
      advanced_fields: body.advanced_fields as never,
      enable_tax: body.enable_tax as never,
      enable_shipping: body.enable_shipping as never,
      tax_percent: body.tax_percent as never,
      tax: body.tax as never,
      shipping: body.shipping as never,
      adjustment: body.adjustment as never,
      amount_paid: body.amount_paid as never,
      discount_credited: body.discount_credited as never,
    });
  } catch (err) {
    asValidationError(err);
  }
  items.forEach((raw, i) => {
    const obj = raw as Body;
    if (!absent(obj.taxable) && typeof obj.taxable !== 'boolean') {
      throw new ValidationError(`items[${i}].taxable`, 'must be true or false');
    }
  });
}

function companyLogoUrl(body: Body): string {
  const url = text(body, 'company_logo_url', 'company_logo_url', 2048);
  if (url === '') return '';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('company_logo_url', 'must be an http(s) URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ValidationError('company_logo_url', 'must be an http(s) URL');
  }
  return parsed.toString();
}

function paymentMethods(body: Body): PaymentMethodType[] {
  const value = body.payment_methods;
  if (absent(value))
    throw new ValidationError('payment_methods', 'is required ("card", "ach", and/or "mail")');
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(
      'payment_methods',
      'must be a non-empty array of "card", "ach" and/or "mail"',
    );
  }
  const methods: PaymentMethodType[] = [];
  value.forEach((m, i) => {
    if (typeof m !== 'string' || !(PAYMENT_METHODS as readonly string[]).includes(m)) {
      throw new ValidationError(`payment_methods[${i}]`, 'must be "card", "ach" or "mail"');
    }
    if (!methods.includes(m as PaymentMethodType)) methods.push(m as PaymentMethodType);
  });
  return methods;
}

function currency(body: Body): string {
  const value = body.currency;
  if (absent(value) || value === '') throw new ValidationError('currency', 'is required ("USD")');
  if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value.trim())) {
    throw new ValidationError('currency', 'must be a 3-letter ISO 4217 code ("USD")');
  }
  const code = value.trim().toUpperCase();
  if (!isActiveCurrency(code)) {
    throw new ValidationError('currency', `${code} is not an active ISO 4217 currency code`);
  }
  return code;
}

/** An invoice's own locale ("de-DE"); absent, null or "" means the merchant's. */
function locale(body: Body): string | null {
  const value = body.locale;
  if (absent(value) || value === '') return null;
  const canonical = typeof value === 'string' ? canonicalLocale(value.trim()) : null;
  if (canonical === null) {
    throw new ValidationError('locale', 'must be a BCP 47 language tag such as "en-US" or "de-DE"');
  }
  return canonical;
}

/**
 * The invoice number becomes the order_id of the transactions that pay the invoice (the
 * spec's invoice TIP), so it follows the gateway's order_id rules: up to 17 letters, digits,
 * "-" or "_".
 */
function invoiceNumber(body: Body): string | null {
  const value = text(body, 'invoice_number', 'invoice_number', 64);
  if (value === '') return null;
  if (!/^[A-Za-z0-9_-]{1,17}$/.test(value)) {
    throw new ValidationError(
      'invoice_number',
      'must be up to 17 letters, digits, "-" or "_" (it becomes the order_id of the payment transaction)',
    );
  }
  return value;
}

/**
 * Validates a whole Create Invoice body (an update merges its changes in first).
 * `requireAddresses: false` lets the billing run create an invoice without payable_to and
 * bill_to when it has none to give; any address it does give is validated.
 */
export function parseInvoice(
  body: Body,
  options: { requireAddresses?: boolean; timeZone: string },
): ParsedInvoice {
  const requireAddresses = options.requireAddresses ?? true;
  validateMoneyFields(body);
  const draft: InvoiceDraft = {
    currency: currency(body),
    locale: locale(body),
    companyName: text(body, 'company_name', 'company_name'),
    companyLogoUrl: companyLogoUrl(body),
    customerNumber: text(body, 'customer_number', 'customer_number', 64),
    customerId: text(body, 'customer_id', 'customer_id', 64),
    invoiceNumber: invoiceNumber(body),
    payableTo: addressRef(body, 'payable_to', requireAddresses),
    billTo: addressRef(body, 'bill_to', requireAddresses),
    dateDue: parseDateDue(body, options.timeZone),
    items: (body.items as unknown[]).map(item),
    advancedFields: flag(body, 'advanced_fields'),
    enableTax: flag(body, 'enable_tax'),
    enableShipping: flag(body, 'enable_shipping'),
    requireShippingDetails: flag(body, 'require_shipping_details'),
    requireBillingDetailsOnPaymentOnly: flag(body, 'require_billing_details_on_payment_only'),
    taxPercent:
      typeof body.tax_percent === 'string'
        ? body.tax_percent.trim()
        : absent(body.tax_percent)
          ? ''
          : String(body.tax_percent),
    tax: (body.tax as number | undefined) ?? 0,
    shipping: (body.shipping as number | undefined) ?? 0,
    amountPaid: (body.amount_paid as number | undefined) ?? 0,
    serviceFeesPaid: cents(body, 'service_fees_paid'),
    surchargePaid: cents(body, 'surcharge_paid'),
    discountCredited: (body.discount_credited as number | undefined) ?? 0,
    adjustment: (body.adjustment as number | undefined) ?? 0,
    allowPartialPayment: flag(body, 'allow_partial_payment'),
    transactionType: oneOf(body, 'transaction_type', ['sale', 'authorize'] as const, 'sale'),
    paymentMethods: paymentMethods(body),
    cardProcessorId: text(body, 'card_processor_id', 'card_processor_id', 64),
    achProcessorId: text(body, 'ach_processor_id', 'ach_processor_id', 64),
    message: text(body, 'message', 'message', 2000),
    sendVia: oneOf(body, 'send_via', SEND_VIA),
    emailTo: email(body, 'email_to', 'email_to'),
  };
  return { draft, totals: totalsOf(draft) };
}

/** The invoice's totals again after a payment: same inputs, a new amount paid. */
export function totalsWithAmountPaid(
  invoice: {
    items: readonly ItemInput[];
    advancedFields: boolean;
    enableTax: boolean;
    enableShipping: boolean;
    taxPercent: string;
    taxInput: number;
    shippingInput: number;
    adjustment: number;
    discountCredited: number;
  },
  amountPaid: number,
): InvoiceTotals {
  return totalsOf({
    items: [...invoice.items],
    advancedFields: invoice.advancedFields,
    enableTax: invoice.enableTax,
    enableShipping: invoice.enableShipping,
    taxPercent: invoice.taxPercent,
    tax: invoice.taxInput,
    shipping: invoice.shippingInput,
    adjustment: invoice.adjustment,
    amountPaid,
    discountCredited: invoice.discountCredited,
  } as InvoiceDraft);
}
