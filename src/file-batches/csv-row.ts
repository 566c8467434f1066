/**
 * The spec's File Batch CSV format: the header, and one row → one typed transaction
 * command for the gateway's own transaction path. Pure: the time is passed in.
 * A bad row gives a ValidationError naming its column; it never stops the file.
 */
import { ValidationError } from '../platform/errors/errors';
import { isAbsent } from '../platform/http/input';
import {
  ACH_ACCOUNT_TYPES,
  cardTypeOf,
  maskedAccount,
  maskedCard,
  parseAccountNumber,
  parseCardNumber,
  parseCvc,
  parseExpirationDate,
  parseRoutingNumber,
} from '../gateway/payment-details/payment-details';
import {
  CaptureRequest,
  parseTransactionAddress,
  ProcessRequest,
  RefundRequest,
} from '../gateway/transactions/transaction-request';

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

/** Every column the spec lists, and Rebill's `transaction_id` (the transaction a capture or refund is for). */
export const FILE_BATCH_COLUMNS: readonly string[] = [
  'transaction_type',
  'cc_number',
  'cc_expiration',
  'cc_cvc',
  'ach_account_number',
  'ach_routing_number',
  'ach_account_type',
  'ach_sec_code',
  'customer_id',
  'amount',
  'shipping_amount',
  'tax_amount',
  'discount_amount',
  'order_id',
  'description',
  'po_number',
  'tax_exempt',
  'email_address',
  'processor_id',
  ...ADDRESS_FIELDS.map((f) => `billing_${f}`),
  ...ADDRESS_FIELDS.map((f) => `shipping_${f}`),
  'transaction_id',
];

export const ROW_TYPES = [
  'verification',
  'authorize',
  'capture',
  'sale',
  'credit',
  'refund',
] as const;

export class CsvFileError extends Error {}

/** The header row, lowercased; unknown or repeated names and missing required ones refuse the file. */
export function parseHeader(raw: readonly string[]): string[] {
  const columns = raw.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim().toLowerCase());
  if (columns.length === 0 || columns.every((c) => c === '')) {
    throw new CsvFileError('the first row must be a header naming the columns; it is empty');
  }
  const unknown = columns.filter((c) => !FILE_BATCH_COLUMNS.includes(c));
  if (unknown.length > 0) {
    const known = columns.length - unknown.length;
    throw new CsvFileError(
      known === 0
        ? `the first row must be a header naming the columns (such as transaction_type, amount, cc_number); found no known column name`
        : `unknown column(s) in the header: ${unknown.slice(0, 5).join(', ')}`,
    );
  }
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new CsvFileError(`column ${c} appears twice in the header`);
    seen.add(c);
  }
  for (const required of ['transaction_type', 'amount']) {
    if (!seen.has(required)) throw new CsvFileError(`the header must include ${required}`);
  }
  return columns;
}

export type RowFields = Record<string, string>;

export function rowFields(columns: readonly string[], values: readonly string[]): RowFields {
  const out: RowFields = {};
  columns.forEach((c, i) => (out[c] = (values[i] ?? '').trim()));
  return out;
}

/** What the result file shows of a row: never a full card or account number. */
export function rowSummary(f: RowFields) {
  const digits = (v: string | undefined) => (v ?? '').replace(/\D/g, '');
  const card = digits(f.cc_number);
  const account = digits(f.ach_account_number);
  return {
    transactionType: (f.transaction_type ?? '').slice(0, 20),
    amount: (f.amount ?? '').slice(0, 20),
    maskedCard: card.length >= 12 ? maskedCard(card) : f.cc_number ? '****' : '',
    maskedAccount:
      account.length >= 4 ? maskedAccount(account) : f.ach_account_number ? '****' : '',
    customerId: (f.customer_id ?? '').slice(0, 40),
    orderId: (f.order_id ?? '').slice(0, 20),
  };
}

export type RowCommand =
  | { kind: 'process'; request: ProcessRequest }
  | { kind: 'capture'; transactionId: string; input: CaptureRequest }
  | { kind: 'refund'; transactionId: string; input: RefundRequest };

function cents(f: RowFields, column: string, required: boolean): number | null {
  const v = f[column] ?? '';
  if (v === '') {
    if (required) throw new ValidationError(column, 'is required: whole cents (100 = $1.00)');
    return null;
  }
  if (!/^\d{1,11}$/.test(v)) {
    throw new ValidationError(column, 'must be a whole number of cents (100 = $1.00)');
  }
  return Number(v);
}

function text(f: RowFields, column: string, max: number, pattern?: RegExp, what?: string): string {
  const v = f[column] ?? '';
  if (v.length > max) throw new ValidationError(column, `must be at most ${max} characters`);
  if (pattern && v !== '' && !pattern.test(v)) throw new ValidationError(column, `must be ${what}`);
  return v;
}

function bool(f: RowFields, column: string): boolean {
  const v = (f[column] ?? '').toLowerCase();
  if (v === '' || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  throw new ValidationError(column, 'must be true or false');
}

function address(f: RowFields, prefix: 'billing' | 'shipping') {
  const obj: Record<string, string> = {};
  let any = false;
  for (const k of ADDRESS_FIELDS) {
    const v = f[`${prefix}_${k}`] ?? '';
    obj[k] = v;
    if (v !== '') any = true;
  }
  if (!any) return null;
  try {
    return parseTransactionAddress(obj, `${prefix}_address`);
  } catch (err) {
    // "invalid billing_address.city: …" → the column's name, "invalid billing_city: …".
    if (err instanceof ValidationError && err.field) {
      throw new ValidationError(
        err.field.replace(`${prefix}_address.`, `${prefix}_`),
        err.message.replace(/^invalid [^:]+: /, ''),
      );
    }
    throw err;
  }
}

const REFERENCE = /^[A-Za-z0-9_-]+$/;

/**
 * One row → a command. `idempotencyKey` is the row's own (derived from batch and row), so a
 * resumed batch never charges a row twice.
 */
export function parseRow(f: RowFields, idempotencyKey: string, now: Date): RowCommand {
  const type = f.transaction_type?.toLowerCase() ?? '';
  if (type === '') throw new ValidationError('transaction_type', 'is required');
  if (!(ROW_TYPES as readonly string[]).includes(type)) {
    throw new ValidationError(
      'transaction_type',
      `must be one of ${ROW_TYPES.map((t) => `"${t}"`).join(', ')}`,
    );
  }
  if (type === 'capture' || type === 'refund') {
    const transactionId = text(f, 'transaction_id', 64);
    if (transactionId === '') {
      throw new ValidationError(
        'transaction_id',
        `is required for a ${type}: the transaction to ${type}`,
      );
    }
    const amount = cents(f, 'amount', false);
    if (type === 'refund')
      return { kind: 'refund', transactionId, input: { amount, surcharge: null } };
    return {
      kind: 'capture',
      transactionId,
      input: {
        amount,
        taxAmount: cents(f, 'tax_amount', false),
        shippingAmount: cents(f, 'shipping_amount', false),
        taxExempt: f.tax_exempt ? bool(f, 'tax_exempt') : null,
        orderId: f.order_id
          ? text(f, 'order_id', 17, REFERENCE, 'letters, digits, "-" or "_"')
          : null,
        poNumber: f.po_number
          ? text(f, 'po_number', 17, REFERENCE, 'letters, digits, "-" or "_"')
          : null,
        ipAddress: null,
      },
    };
  }
  const processType = type as ProcessRequest['type'];
  const amount = cents(f, 'amount', processType !== 'verification');
  if (processType === 'verification' && (amount ?? 0) !== 0) {
    throw new ValidationError('amount', 'must be 0 or empty for a verification');
  }
  if (processType !== 'verification' && amount === 0) {
    throw new ValidationError('amount', 'must be more than 0');
  }

  const hasCard = !!f.cc_number;
  const hasAch = !!f.ach_account_number || !!f.ach_routing_number;
  const hasCustomer = !!f.customer_id;
  const kinds = [hasCard, hasAch, hasCustomer].filter(Boolean).length;
  if (kinds === 0) {
    throw new ValidationError(
      'cc_number',
      'is required (or ach_account_number, or customer_id): the row names no payment method',
    );
  }
  if (kinds > 1) {
    throw new ValidationError(
      'cc_number',
      'give only one of a card, an ACH account or customer_id',
    );
  }
  let paymentMethod: ProcessRequest['paymentMethod'];
  if (hasCard) {
    const number = parseCardNumber(f.cc_number, 'cc_number');
    const exp = parseExpirationDate(f.cc_expiration, 'cc_expiration', now);
    paymentMethod = {
      kind: 'card',
      card: {
        number,
        expirationMonth: exp.month,
        expirationYear: exp.year,
        cardType: cardTypeOf(number),
      },
      cvc: parseCvc(f.cc_cvc, 'cc_cvc'),
    };
  } else if (hasAch) {
    const accountType = (f.ach_account_type ?? '').toLowerCase();
    if (!(ACH_ACCOUNT_TYPES as readonly string[]).includes(accountType)) {
      throw new ValidationError('ach_account_type', 'is required: "checking" or "savings"');
    }
    const sec = (f.ach_sec_code ?? '').toLowerCase();
    if (!['web', 'ccd', 'ppd'].includes(sec)) {
      throw new ValidationError('ach_sec_code', 'is required: "WEB", "CCD" or "PPD"');
    }
    paymentMethod = {
      kind: 'ach',
      ach: {
        routingNumber: parseRoutingNumber(f.ach_routing_number, 'ach_routing_number'),
        accountNumber: parseAccountNumber(f.ach_account_number, 'ach_account_number'),
        accountType: accountType as 'checking' | 'savings',
        secCode: sec as 'web' | 'ccd' | 'ppd',
      },
    };
  } else {
    paymentMethod = {
      kind: 'customer',
      customerId: text(f, 'customer_id', 40),
      paymentMethodId: null,
      paymentMethodType: null,
      billingAddressId: null,
      shippingAddressId: null,
    };
  }
  const email = text(
    f,
    'email_address',
    254,
    /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
    'a valid email address',
  );
  cents(f, 'discount_amount', false); // checked; like POST /api/transaction, not otherwise used
  return {
    kind: 'process',
    request: {
      idempotencyKey,
      type: processType,
      amount: processType === 'verification' ? 0 : amount,
      baseAmount: null,
      taxAmount: cents(f, 'tax_amount', false) ?? 0,
      shippingAmount: cents(f, 'shipping_amount', false) ?? 0,
      taxExempt: bool(f, 'tax_exempt'),
      currency: 'USD',
      description: text(f, 'description', 100),
      orderId: text(f, 'order_id', 17, REFERENCE, 'letters, digits, "-" or "_" (up to 17)'),
      poNumber: text(f, 'po_number', 17, REFERENCE, 'letters, digits, "-" or "_" (up to 17)'),
      processorId: f.processor_id ? text(f, 'processor_id', 64) : null,
      ipAddress: '',
      allowPartialPayment: false,
      // Spec: "Email address to tag to the transaction, emails are not sent."
      emailReceipt: false,
      emailAddress: email,
      createVaultRecord: false,
      paymentMethod,
      billingAddress: address(f, 'billing'),
      shippingAddress: address(f, 'shipping'),
      citMit: {
        cardOnFileIndicator: null,
        initiatedBy: null,
        initialTransactionId: null,
        storedCredentialIndicator: null,
        billingMethod: 'straight',
      },
    },
  };
}

/** Nothing beyond the header's columns reaches a row. */
export function isBlankRow(values: readonly string[]): boolean {
  return values.every((v) => isAbsent(v) || v.trim() === '');
}
