/**
 * Reading `POST /api/transaction` (spec: Transactions → Process). Pure: the time is passed
 * in. Spec fields Rebill does not use (line_items, descriptor, custom_fields, ...) are
 * accepted and ignored, so that existing clients work unchanged.
 */
import { isIP } from 'node:net';
import { ValidationError } from '../../platform/errors/errors';
import {
  BILLING_METHODS,
  BillingMethod,
  CARD_ON_FILE_INDICATORS,
  CardOnFileIndicator,
  INITIATED_BY,
  InitiatedBy,
  STORED_CREDENTIAL_INDICATORS,
  StoredCredentialIndicator,
} from '../cit-mit';
import {
  Body,
  isAbsent,
  optionalBoolean,
  optionalCents,
  optionalEmail,
  optionalObject,
  optionalOneOf,
  optionalString,
  requiredOneOf,
} from '../../platform/http/input';
import { AchDetails, CardDetails, parseCard, parseCvc } from '../payment-details/payment-details';
import { parseAch, parseToken } from '../vault/vault-input';
import { parseTerminalPayment, TerminalPaymentRequest } from '../terminals/terminal-input';
import { parseApplePay, parseGooglePay, WalletCard } from '../wallets/wallet-tokens';
import { TransactionAddress } from './transaction.entity';

export const PROCESS_TYPES = ['sale', 'authorize', 'verification', 'credit'] as const;
export type ProcessType = (typeof PROCESS_TYPES)[number];

export type RequestedPaymentMethod =
  | { kind: 'card'; card: CardDetails; cvc: string | null }
  | { kind: 'ach'; ach: AchDetails }
  | {
      kind: 'customer';
      customerId: string;
      paymentMethodId: string | null;
      paymentMethodType: 'card' | 'ach' | null;
      billingAddressId: string | null;
      shippingAddressId: string | null;
    }
  | { kind: 'token'; token: string }
  | TerminalPaymentRequest
  | ({ kind: 'wallet' } & WalletCard);

export interface CitMitFields {
  cardOnFileIndicator: CardOnFileIndicator | null;
  initiatedBy: InitiatedBy | null;
  initialTransactionId: string | null;
  storedCredentialIndicator: StoredCredentialIndicator | null;
  billingMethod: BillingMethod;
}

export interface ProcessRequest {
  idempotencyKey: string | null;
  type: ProcessType;
  /** Exactly one of amount and base_amount is set (neither for a verification). */
  amount: number | null;
  baseAmount: number | null;
  taxAmount: number;
  shippingAmount: number;
  taxExempt: boolean;
  currency: string;
  description: string;
  orderId: string;
  poNumber: string;
  processorId: string | null;
  ipAddress: string;
  allowPartialPayment: boolean;
  emailReceipt: boolean;
  emailAddress: string;
  createVaultRecord: boolean;
  paymentMethod: RequestedPaymentMethod;
  billingAddress: TransactionAddress | null;
  shippingAddress: TransactionAddress | null;
  citMit: CitMitFields;
}

const REFERENCE = {
  max: 17,
  pattern: /^[A-Za-z0-9_-]+$/,
  patternText: 'letters, digits, "-" or "_" (up to 17)',
};
const IDEMPOTENCY_KEY = {
  max: 255,
  pattern: /^[A-Za-z0-9._:-]+$/,
  patternText: 'letters, digits, ".", "_", ":" or "-" (a UUID, say)',
};

export function parseIdempotencyKey(value: unknown): string | null {
  const key = optionalString(value, 'idempotency_key', IDEMPOTENCY_KEY);
  return key === undefined || key === '' ? null : key;
}

export function parseProcessRequest(body: Body, now: Date): ProcessRequest {
  const type = requiredOneOf(body.type, 'type', PROCESS_TYPES);
  const amount = optionalCents(body.amount, 'amount');
  const baseAmount = optionalCents(body.base_amount, 'base_amount');
  if (type === 'verification') {
    if ((amount ?? 0) !== 0 || (baseAmount ?? 0) !== 0) {
      throw new ValidationError('amount', 'must be 0 or left out for a verification');
    }
  } else {
    if (amount !== undefined && baseAmount !== undefined) {
      throw new ValidationError('amount', 'send either amount or base_amount, not both');
    }
    if (amount === undefined && baseAmount === undefined) {
      throw new ValidationError(
        'amount',
        'is required (or base_amount): whole cents, 1299 = $12.99',
      );
    }
    if ((amount ?? baseAmount) === 0) {
      throw new ValidationError(
        amount !== undefined ? 'amount' : 'base_amount',
        'must be more than 0',
      );
    }
  }

  const emailReceipt = optionalBoolean(body.email_receipt, 'email_receipt') ?? false;
  const emailAddress =
    optionalEmail(body.email_address === '' ? null : body.email_address, 'email_address') ?? '';
  if (emailReceipt && emailAddress === '') {
    throw new ValidationError('email_address', 'is required when email_receipt is true');
  }
  const ipAddress = optionalString(body.ip_address, 'ip_address', { max: 45 }) ?? '';
  if (ipAddress !== '' && isIP(ipAddress) === 0) {
    throw new ValidationError('ip_address', 'must be an IPv4 or IPv6 address');
  }
  const currency = (
    optionalString(body.currency, 'currency', {
      pattern: /^[A-Za-z]{3}$/,
      patternText: 'an ISO 4217 code ("USD")',
    }) || 'USD'
  ).toUpperCase();

  return {
    idempotencyKey: parseIdempotencyKey(body.idempotency_key),
    type,
    amount: type === 'verification' ? 0 : (amount ?? null),
    baseAmount: type === 'verification' ? null : (baseAmount ?? null),
    taxAmount: optionalCents(body.tax_amount, 'tax_amount') ?? 0,
    shippingAmount: optionalCents(body.shipping_amount, 'shipping_amount') ?? 0,
    taxExempt: optionalBoolean(body.tax_exempt, 'tax_exempt') ?? false,
    currency,
    description: optionalString(body.description, 'description', { max: 255 }) ?? '',
    orderId: optionalString(body.order_id, 'order_id', REFERENCE) ?? '',
    poNumber: optionalString(body.po_number, 'po_number', REFERENCE) ?? '',
    processorId: optionalString(body.processor_id, 'processor_id', { max: 64 }) || null,
    ipAddress,
    allowPartialPayment:
      optionalBoolean(body.allow_partial_payment, 'allow_partial_payment') ?? false,
    emailReceipt,
    emailAddress,
    createVaultRecord: optionalBoolean(body.create_vault_record, 'create_vault_record') ?? false,
    paymentMethod: parsePaymentMethod(body.payment_method, now),
    billingAddress: parseTransactionAddress(body.billing_address, 'billing_address'),
    shippingAddress: parseTransactionAddress(body.shipping_address, 'shipping_address'),
    citMit: parseCitMit(body),
  };
}

function parsePaymentMethod(value: unknown, now: Date): RequestedPaymentMethod {
  const obj = optionalObject(value, 'payment_method');
  if (obj === undefined) throw new ValidationError('payment_method', 'is required');
  const present = [
    'card',
    'ach',
    'customer',
    'token',
    'terminal',
    'apple_pay',
    'google_pay_token',
    'apm',
  ].filter((k) => !isAbsent(obj[k]));
  if (present.length !== 1) {
    throw new ValidationError(
      'payment_method',
      'must contain exactly one of card, ach, customer, token, terminal, apple_pay or google_pay_token',
    );
  }
  const kind = present[0];
  if (kind === 'card') {
    const card = optionalObject(obj.card, 'payment_method.card') ?? {};
    optionalOneOf(card.entry_type, 'payment_method.card.entry_type', ['keyed', 'swiped'] as const);
    return {
      kind: 'card',
      card: parseCard(
        card as { number: unknown; expiration_date: unknown },
        'payment_method.card',
        now,
      ),
      cvc: parseCvc(card.cvc, 'payment_method.card.cvc'),
    };
  }
  if (kind === 'ach') {
    const ach = optionalObject(obj.ach, 'payment_method.ach') ?? {};
    const parsed = parseAch(ach, 'payment_method.ach');
    if (parsed.secCode === 'tel' && isAbsent(ach.check_number)) {
      throw new ValidationError(
        'payment_method.ach.check_number',
        'is required when sec_code is "tel"',
      );
    }
    return { kind: 'ach', ach: parsed };
  }
  if (kind === 'customer') {
    const c = optionalObject(obj.customer, 'payment_method.customer') ?? {};
    const id = optionalString(c.id, 'payment_method.customer.id', { max: 40 });
    if (id === undefined || id === '')
      throw new ValidationError('payment_method.customer.id', 'is required');
    const blank = (v: string | undefined) => (v === undefined || v === '' ? null : v);
    return {
      kind: 'customer',
      customerId: id,
      paymentMethodId: blank(
        optionalString(c.payment_method_id, 'payment_method.customer.payment_method_id', {
          max: 64,
        }),
      ),
      paymentMethodType:
        optionalOneOf(c.payment_method_type, 'payment_method.customer.payment_method_type', [
          'card',
          'ach',
        ] as const) ?? null,
      billingAddressId: blank(
        optionalString(c.billing_address_id, 'payment_method.customer.billing_address_id', {
          max: 64,
        }),
      ),
      shippingAddressId: blank(
        optionalString(c.shipping_address_id, 'payment_method.customer.shipping_address_id', {
          max: 64,
        }),
      ),
    };
  }
  if (kind === 'token')
    return { kind: 'token', token: parseToken(obj.token, 'payment_method.token') };
  if (kind === 'terminal') return parseTerminalPayment(obj.terminal, now);
  if (kind === 'apple_pay')
    return { kind: 'wallet', ...parseApplePay(obj.apple_pay, 'payment_method.apple_pay', now) };
  if (kind === 'google_pay_token') {
    return {
      kind: 'wallet',
      ...parseGooglePay(obj.google_pay_token, 'payment_method.google_pay_token', now),
    };
  }
  throw new ValidationError(
    `payment_method.${kind}`,
    'is not supported by Rebill; use card, ach, customer, token, terminal, apple_pay or google_pay_token',
  );
}

const TX_ADDRESS_LIMITS: Record<Exclude<keyof TransactionAddress, 'address_id'>, number> = {
  first_name: 50,
  last_name: 50,
  company: 100,
  address_line_1: 100,
  address_line_2: 100,
  city: 50,
  state: 20,
  postal_code: 20,
  country: 2,
  phone: 20,
  fax: 20,
  email: 254,
};

export function parseTransactionAddress(value: unknown, field: string): TransactionAddress | null {
  const obj = optionalObject(value, field);
  if (obj === undefined) return null;
  const out = {} as TransactionAddress;
  for (const [key, max] of Object.entries(TX_ADDRESS_LIMITS) as [
    keyof typeof TX_ADDRESS_LIMITS,
    number,
  ][]) {
    const name = `${field}.${key}`;
    out[key] =
      key === 'email'
        ? (optionalEmail(obj.email === '' ? null : obj.email, name) ?? '')
        : (optionalString(obj[key], name, { max }) ?? '');
  }
  if (!/^([A-Za-z]{2})?$/.test(out.country)) {
    throw new ValidationError(`${field}.country`, 'must be a 2-letter country code ("US")');
  }
  out.country = out.country.toUpperCase() || (field === 'billing_address' ? 'US' : '');
  out.state = out.state.toUpperCase();
  return out;
}

function parseCitMit(body: Body): CitMitFields {
  const initialTransactionId = optionalString(
    body.initial_transaction_id,
    'initial_transaction_id',
    {
      max: 64,
    },
  );
  return {
    cardOnFileIndicator:
      optionalOneOf(
        body.card_on_file_indicator,
        'card_on_file_indicator',
        CARD_ON_FILE_INDICATORS,
      ) ?? null,
    initiatedBy: optionalOneOf(body.initiated_by, 'initiated_by', INITIATED_BY) ?? null,
    initialTransactionId: initialTransactionId === '' ? null : (initialTransactionId ?? null),
    storedCredentialIndicator:
      optionalOneOf(
        body.stored_credential_indicator,
        'stored_credential_indicator',
        STORED_CREDENTIAL_INDICATORS,
      ) ?? null,
    billingMethod:
      optionalOneOf(body.billing_method, 'billing_method', BILLING_METHODS) ?? 'straight',
  };
}

export type CaptureRequest = ReturnType<typeof parseCaptureRequest>;
export type RefundRequest = ReturnType<typeof parseRefundRequest>;

/** Spec: Capture. Each field defaults to the authorization's. */
export function parseCaptureRequest(body: Body) {
  return {
    amount: optionalCents(body.amount, 'amount') ?? null,
    taxAmount: optionalCents(body.tax_amount, 'tax_amount') ?? null,
    shippingAmount: optionalCents(body.shipping_amount, 'shipping_amount') ?? null,
    taxExempt: optionalBoolean(body.tax_exempt, 'tax_exempt') ?? null,
    orderId: optionalString(body.order_id, 'order_id', REFERENCE) ?? null,
    poNumber: optionalString(body.po_number, 'po_number', REFERENCE) ?? null,
    ipAddress: optionalString(body.ip_address, 'ip_address', { max: 45 }) ?? null,
  };
}

/** Spec: Refund. The amount defaults to what is left to refund. */
export function parseRefundRequest(body: Body) {
  return {
    amount: optionalCents(body.amount, 'amount') ?? null,
    surcharge: optionalCents(body.surcharge, 'surcharge') ?? null,
  };
}
