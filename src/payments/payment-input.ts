/**
 * Reading the payments API's request bodies (spec: payments-api.txt). Pure; every error
 * names the field and never echoes the value (it may be a card number).
 */
import {
  Body,
  isAbsent,
  optionalBoolean,
  optionalCents,
  optionalEmail,
  optionalInteger,
  optionalObject,
  optionalOneOf,
  optionalString,
  refuseUnknownFields,
  requiredObject,
  requiredString,
} from '../platform/http/input';
import {
  cardTypeOf,
  parseAccountNumber,
  parseCardNumber,
  parseCvc,
  parseRoutingNumber,
} from '../gateway/payment-details/payment-details';
import type { BillingDetails, NewPaymentMethod } from '../gateway/vault/payment-methods.port';
import { ValidationError } from '../platform/errors/errors';
import { objectBody } from '../platform/http/body';
import { INTENT_STATUSES } from './intent-state';
import type {
  CancellationReason,
  PaymentIntentStatus,
  PaymentMethodType,
  PaymentStatus,
} from './payment.entities';

export const PAYMENT_METHOD_TYPES: readonly PaymentMethodType[] = ['card', 'bank'];
export const CANCELLATION_REASONS: readonly CancellationReason[] = [
  'duplicate',
  'fraudulent',
  'requested_by_customer',
  'abandoned',
];
export const CURRENCIES = ['USD'] as const;

/** The request body as an object; a missing body counts as `{}`. */
export const bodyOf = objectBody;

function requiredCents(value: unknown, field: string): number {
  const cents = optionalCents(value, field);
  if (cents === undefined) throw new ValidationError(field, 'is required: a whole number of cents');
  return cents;
}

function optionalFreeObject(value: unknown, field: string): Record<string, unknown> | null {
  const obj = optionalObject(value, field);
  if (obj === undefined) return null;
  if (JSON.stringify(obj).length > 8_000)
    throw new ValidationError(field, 'is too large (8 kB at most)');
  return obj;
}

function optionalSplits(value: unknown, field: string): unknown[] | null {
  if (isAbsent(value)) return null;
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  if (value.length > 20) throw new ValidationError(field, 'must have at most 20 entries');
  value.forEach((entry, i) => optionalObject(entry, `${field}[${i}]`));
  return value;
}

export function paymentMethodTypes(value: unknown, field: string): PaymentMethodType[] | null {
  if (isAbsent(value)) return null;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(field, 'must be a non-empty array of "card" and "bank"');
  }
  const out: PaymentMethodType[] = [];
  value.forEach((v, i) => {
    const type = optionalOneOf(v, `${field}[${i}]`, PAYMENT_METHOD_TYPES);
    if (type === undefined) throw new ValidationError(`${field}[${i}]`, 'must be "card" or "bank"');
    if (!out.includes(type)) out.push(type);
  });
  return out;
}

const TEXT = { max: 255 };

export interface IntentFields {
  amount: number;
  merchantAmount: number | null;
  paymentSplits: unknown[] | null;
  orderDetails: Record<string, unknown> | null;
  capture: boolean;
  currency: string;
  referenceId: string | null;
  userFields: Record<string, unknown> | null;
  description: string | null;
  paymentMethodTypes: PaymentMethodType[];
}

const INTENT_FIELDS = [
  'amount',
  'merchant_amount',
  'payment_splits',
  'order_details',
  'capture',
  'currency',
  'reference_id',
  'user_fields',
  'description',
  'payment_method_types',
];

/** Create a payment intent. */
export function parseIntentCreate(raw: unknown, prefix = ''): IntentFields {
  const body = prefix === '' ? bodyOf(raw) : requiredObject(raw, prefix.slice(0, -1));
  refuseUnknownFields(body, INTENT_FIELDS, prefix);
  const amount = requiredCents(body.amount, `${prefix}amount`);
  const merchantAmount = optionalCents(body.merchant_amount, `${prefix}merchant_amount`);
  if (merchantAmount !== undefined && merchantAmount > amount) {
    throw new ValidationError(`${prefix}merchant_amount`, 'must not exceed amount');
  }
  return {
    amount,
    merchantAmount: merchantAmount ?? null,
    paymentSplits: optionalSplits(body.payment_splits, `${prefix}payment_splits`),
    orderDetails: optionalFreeObject(body.order_details, `${prefix}order_details`),
    capture: optionalBoolean(body.capture, `${prefix}capture`) ?? true,
    currency: optionalOneOf(body.currency, `${prefix}currency`, CURRENCIES) ?? 'USD',
    referenceId: optionalString(body.reference_id, `${prefix}reference_id`, TEXT) ?? null,
    userFields: optionalFreeObject(body.user_fields, `${prefix}user_fields`),
    description: optionalString(body.description, `${prefix}description`, TEXT) ?? null,
    paymentMethodTypes: paymentMethodTypes(
      body.payment_method_types,
      `${prefix}payment_method_types`,
    ) ?? ['card', 'bank'],
  };
}

export type IntentPatch = Partial<Omit<IntentFields, 'currency'>>;

/** Patch a payment intent: only the fields sent change. */
export function parseIntentPatch(raw: unknown): IntentPatch {
  const body = bodyOf(raw);
  refuseUnknownFields(
    body,
    INTENT_FIELDS.filter((f) => f !== 'currency'),
  );
  const out: IntentPatch = {};
  const amount = optionalCents(body.amount, 'amount');
  if (amount !== undefined) out.amount = amount;
  const merchantAmount = optionalCents(body.merchant_amount, 'merchant_amount');
  if (merchantAmount !== undefined) out.merchantAmount = merchantAmount;
  const splits = optionalSplits(body.payment_splits, 'payment_splits');
  if (splits !== null) out.paymentSplits = splits;
  const order = optionalFreeObject(body.order_details, 'order_details');
  if (order !== null) out.orderDetails = order;
  const capture = optionalBoolean(body.capture, 'capture');
  if (capture !== undefined) out.capture = capture;
  const types = paymentMethodTypes(body.payment_method_types, 'payment_method_types');
  if (types !== null) out.paymentMethodTypes = types;
  const reference = optionalString(body.reference_id, 'reference_id', TEXT);
  if (reference !== undefined) out.referenceId = reference;
  const userFields = optionalFreeObject(body.user_fields, 'user_fields');
  if (userFields !== null) out.userFields = userFields;
  const description = optionalString(body.description, 'description', TEXT);
  if (description !== undefined) out.description = description;
  return out;
}

export interface PaymentCreate {
  paymentMethodId: string;
  cvv2: string | null;
  referenceId: string | null;
  userFields: Record<string, unknown> | null;
  description: string | null;
  orderDetails: Record<string, unknown> | null;
}

/** Create a payment (of an intent or of a checkout session). */
export function parsePaymentCreate(raw: unknown): PaymentCreate {
  const body = bodyOf(raw);
  refuseUnknownFields(body, [
    'payment_method_id',
    'cvv2',
    'reference_id',
    'user_fields',
    'description',
    'order_details',
    'client_secret',
  ]);
  return {
    paymentMethodId: requiredString(body.payment_method_id, 'payment_method_id', { max: 64 }),
    cvv2: parseCvc(body.cvv2, 'cvv2'),
    referenceId: optionalString(body.reference_id, 'reference_id', TEXT) ?? null,
    userFields: optionalFreeObject(body.user_fields, 'user_fields'),
    description: optionalString(body.description, 'description', TEXT) ?? null,
    orderDetails: optionalFreeObject(body.order_details, 'order_details'),
  };
}

export function parseCancel(raw: unknown): { reason: CancellationReason | null } {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['cancellation_reason', 'gateway_void_response']);
  return {
    reason:
      optionalOneOf(body.cancellation_reason, 'cancellation_reason', CANCELLATION_REASONS) ?? null,
  };
}

export function parseCapture(raw: unknown): {
  amount: number | null;
  paymentSplits: unknown[] | null;
} {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['amount', 'payment_splits', 'gateway_capture_response']);
  const amount = optionalCents(body.amount, 'amount');
  if (amount === 0) throw new ValidationError('amount', 'must be more than 0');
  return {
    amount: amount ?? null,
    paymentSplits: optionalSplits(body.payment_splits, 'payment_splits'),
  };
}

export function parseRefund(raw: unknown, field = 'amount'): { amount: number | null } {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['amount']);
  const amount = optionalCents(body.amount, field);
  if (amount === 0) throw new ValidationError(field, 'must be more than 0');
  return { amount: amount ?? null };
}

// ---- payment methods --------------------------------------------------------------------

function parseBillingDetails(value: unknown, field: string): BillingDetails {
  const obj = optionalObject(value, field) ?? {};
  refuseUnknownFields(obj, ['name', 'email', 'phone', 'address'], `${field}.`);
  const address = optionalObject(obj.address, `${field}.address`) ?? {};
  refuseUnknownFields(
    address,
    ['line1', 'line2', 'city', 'state', 'postal_code', 'country'],
    `${field}.address.`,
  );
  const line = (key: string, max: number) =>
    optionalString(address[key], `${field}.address.${key}`, { max }) || null;
  const country = line('country', 2);
  if (country !== null && !/^[A-Za-z]{2}$/.test(country)) {
    throw new ValidationError(`${field}.address.country`, 'must be a 2-letter country code ("US")');
  }
  return {
    name: optionalString(obj.name, `${field}.name`, { max: 100 }) || null,
    email: optionalEmail(obj.email === '' ? null : obj.email, `${field}.email`) ?? null,
    phone: optionalString(obj.phone, `${field}.phone`, { max: 20 }) || null,
    address: {
      line1: line('line1', 100),
      line2: line('line2', 100),
      city: line('city', 50),
      state: line('state', 20),
      postal_code: line('postal_code', 20),
      country: country === null ? null : country.toUpperCase(),
    },
  };
}

/** Update payment method: `billing_details` (required), merged over the current ones. */
export function parsePaymentMethodUpdate(
  raw: unknown,
): (current: BillingDetails) => BillingDetails {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['billing_details']);
  const given = requiredObject(body.billing_details, 'billing_details');
  const parsed = parseBillingDetails(given, 'billing_details');
  const givenAddress = (given.address ?? {}) as Body;
  return (current) => ({
    name: 'name' in given ? parsed.name : current.name,
    email: 'email' in given ? parsed.email : current.email,
    phone: 'phone' in given ? parsed.phone : current.phone,
    address: Object.fromEntries(
      Object.entries(current.address).map(([k, v]) => [
        k,
        k in givenAddress ? parsed.address[k as keyof BillingDetails['address']] : v,
      ]),
    ) as BillingDetails['address'],
  });
}

export interface PaymentMethodCreate {
  method: NewPaymentMethod;
  billing: BillingDetails;
  type: PaymentMethodType;
}

function expiry(value: unknown, field: string, min: number, max: number): number {
  if (typeof value === 'string' && /^\d{1,4}$/.test(value)) value = Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Create a payment method (Rebill: the JS SDK's call, with the public key): a card
 * (`card.number`, `card.exp_month`, `card.exp_year`), a bank account (`bank.routing_number`,
 * `bank.account_number`, `bank.account_type`) or a tokenizer `token`.
 */
export function parsePaymentMethodCreate(raw: unknown, now: Date): PaymentMethodCreate {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['payment_method_type', 'card', 'bank', 'token', 'billing_details']);
  const billing = parseBillingDetails(body.billing_details, 'billing_details');
  if (!isAbsent(body.token)) {
    const token = requiredString(body.token, 'token', { max: 200 });
    const type = optionalOneOf(
      body.payment_method_type,
      'payment_method_type',
      PAYMENT_METHOD_TYPES,
    );
    return { method: { kind: 'token', token }, billing, type: type ?? 'card' };
  }
  const type = optionalOneOf(body.payment_method_type, 'payment_method_type', PAYMENT_METHOD_TYPES);
  if (type === undefined) {
    throw new ValidationError(
      'payment_method_type',
      'is required: "card" or "bank" (or send a token)',
    );
  }
  if (type === 'card') {
    const card = requiredObject(body.card, 'card');
    refuseUnknownFields(card, ['number', 'exp_month', 'exp_year', 'cvc'], 'card.');
    const number = parseCardNumber(card.number, 'card.number');
    const month = expiry(card.exp_month, 'card.exp_month', 1, 12);
    let year = expiry(card.exp_year, 'card.exp_year', 0, 9999);
    if (year < 100) year += 2000;
    const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth();
    if (year * 12 + (month - 1) < thisMonth) {
      throw new ValidationError('card.exp_year', 'the card has expired');
    }
    if (year > now.getUTCFullYear() + 50) {
      throw new ValidationError('card.exp_year', 'is too far ahead');
    }
    parseCvc(card.cvc, 'card.cvc');
    return {
      method: {
        kind: 'card',
        card: {
          number,
          expirationMonth: month,
          expirationYear: year,
          cardType: cardTypeOf(number),
        },
      },
      billing,
      type,
    };
  }
  const bank = requiredObject(body.bank, 'bank');
  refuseUnknownFields(bank, ['routing_number', 'account_number', 'account_type'], 'bank.');
  return {
    method: {
      kind: 'ach',
      ach: {
        routingNumber: parseRoutingNumber(bank.routing_number, 'bank.routing_number'),
        accountNumber: parseAccountNumber(bank.account_number, 'bank.account_number'),
        accountType:
          optionalOneOf(bank.account_type, 'bank.account_type', ['checking', 'savings'] as const) ??
          'checking',
        secCode: 'web',
      },
    },
    billing,
    type,
  };
}

export interface IntentSearch {
  referenceId: string | null;
  status: PaymentIntentStatus | null;
  settlementStatus: 'settled' | 'unsettled' | null;
  paymentStatus: PaymentStatus | null;
  hasRefund: boolean | null;
  startDate: Date | null;
  endDate: Date | null;
  amountMin: number | null;
  amountMax: number | null;
  sortColumn: 'amount' | 'created_at' | 'updated_at' | 'status';
  sortDirection: 'ASC' | 'DESC';
  limit: number;
  page: number;
}

function optionalDate(value: unknown, field: string): Date | null {
  if (isAbsent(value) || value === '') return null;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(field, 'must be an ISO 8601 date-time ("2026-01-31T00:00:00Z")');
  }
  return new Date(value);
}

/** Search for payment intents (spec body). `limit` 1–50 (default 10), `page` from 1. */
export function parseIntentSearch(raw: unknown): IntentSearch {
  const body = bodyOf(raw);
  refuseUnknownFields(body, [
    'reference_id',
    'status',
    'settlement_status',
    'payment_status',
    'has_refund',
    'start_date',
    'end_date',
    'amount_min',
    'amount_max',
    'sort_column',
    'sort_direction',
    'limit',
    'page',
  ]);
  const limit = optionalInteger(body.limit, 'limit', 1, 50) ?? 10;
  const page = optionalInteger(body.page, 'page', 1, 1_000_000) ?? 1;
  const direction = optionalOneOf(body.sort_direction, 'sort_direction', ['asc', 'desc'] as const);
  return {
    referenceId: optionalString(body.reference_id, 'reference_id', TEXT) ?? null,
    status: optionalOneOf(body.status, 'status', INTENT_STATUSES) ?? null,
    settlementStatus:
      optionalOneOf(body.settlement_status, 'settlement_status', [
        'settled',
        'unsettled',
      ] as const) ?? null,
    paymentStatus:
      optionalOneOf(body.payment_status, 'payment_status', [
        'pending',
        'uncaptured',
        'captured',
        'cancelled',
        'voided',
        'failed',
      ] as const) ?? null,
    hasRefund: optionalBoolean(body.has_refund, 'has_refund') ?? null,
    startDate: optionalDate(body.start_date, 'start_date'),
    endDate: optionalDate(body.end_date, 'end_date'),
    amountMin: optionalCents(body.amount_min, 'amount_min') ?? null,
    amountMax: optionalCents(body.amount_max, 'amount_max') ?? null,
    sortColumn:
      optionalOneOf(body.sort_column, 'sort_column', [
        'amount',
        'created_at',
        'updated_at',
        'status',
      ] as const) ?? 'created_at',
    sortDirection: direction === 'asc' ? 'ASC' : 'DESC',
    limit,
    page,
  };
}

// ---- checkout sessions ------------------------------------------------------------------

export interface CheckoutCreate {
  cancelUrl: string;
  successUrl: string;
  customerEmail: string;
  referenceId: string | null;
  userFields: Record<string, unknown> | null;
  paymentMethodTypes: PaymentMethodType[];
  paymentIntentData: IntentFields;
  paymentIntentDataRaw: Record<string, unknown>;
  subtotal: number;
  discountAmount: number;
  /** Null: 24 hours after creation. */
  expiresAt: Date | null;
  subscription: { plan_id: string; description?: string } | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function requiredHttpUrl(value: unknown, field: string): string {
  const text = requiredString(value, field, { max: 2000 });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(field, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(field, 'must be an absolute http(s) URL');
  }
  return url.toString();
}

/** Create a checkout session (spec body, plus Rebill's `subscription` and `expires_at`). */
export function parseCheckoutCreate(raw: unknown, now: Date): CheckoutCreate {
  const body = bodyOf(raw);
  refuseUnknownFields(body, [
    'cancel_url',
    'success_url',
    'customer_email',
    'reference_id',
    'user_fields',
    'payment_method_types',
    'payment_intent_data',
    'subtotal',
    'discount_amount',
    'expires_at',
    'subscription',
  ]);
  const subtotal = requiredCents(body.subtotal, 'subtotal');
  const discountAmount = requiredCents(body.discount_amount, 'discount_amount');
  if (discountAmount > subtotal) {
    throw new ValidationError('discount_amount', 'must not exceed subtotal');
  }
  const total = subtotal - discountAmount;
  const data = requiredObject(body.payment_intent_data, 'payment_intent_data');
  const intent = parseIntentCreate(
    { ...data, amount: data.amount ?? total },
    'payment_intent_data.',
  );
  if (intent.amount !== total) {
    throw new ValidationError(
      'payment_intent_data.amount',
      `must be subtotal − discount_amount (${total}) when given`,
    );
  }
  const email = optionalEmail(body.customer_email, 'customer_email');
  if (email === undefined || email === '')
    throw new ValidationError('customer_email', 'is required');
  const types = paymentMethodTypes(body.payment_method_types, 'payment_method_types') ?? ['card'];
  let expiresAt: Date | null = null;
  if (!isAbsent(body.expires_at)) {
    const at = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : NaN;
    if (Number.isNaN(at)) throw new ValidationError('expires_at', 'must be an ISO 8601 date-time');
    if (at < now.getTime() + 60_000 || at > now.getTime() + 7 * DAY_MS) {
      throw new ValidationError('expires_at', 'must be from 1 minute to 7 days ahead');
    }
    expiresAt = new Date(at);
  }
  let subscription: CheckoutCreate['subscription'] = null;
  if (!isAbsent(body.subscription)) {
    const sub = requiredObject(body.subscription, 'subscription');
    refuseUnknownFields(sub, ['plan_id', 'description'], 'subscription.');
    subscription = {
      plan_id: requiredString(sub.plan_id, 'subscription.plan_id', { max: 64 }),
    };
    const description = optionalString(sub.description, 'subscription.description', TEXT);
    if (description) subscription.description = description;
    if (intent.capture === false) {
      throw new ValidationError(
        'payment_intent_data.capture',
        'must be true for a subscription checkout: its payment starts the subscription',
      );
    }
  }
  return {
    cancelUrl: requiredHttpUrl(body.cancel_url, 'cancel_url'),
    successUrl: requiredHttpUrl(body.success_url, 'success_url'),
    customerEmail: email,
    referenceId: optionalString(body.reference_id, 'reference_id', TEXT) ?? null,
    userFields: optionalFreeObject(body.user_fields, 'user_fields'),
    paymentMethodTypes: types,
    paymentIntentData: { ...intent, paymentMethodTypes: types },
    paymentIntentDataRaw: data,
    subtotal,
    discountAmount,
    expiresAt,
    subscription,
  };
}

// ---- external payments ------------------------------------------------------------------

export interface ExternalIntentCreate {
  intent: IntentFields;
  paymentMethod: {
    type: PaymentMethodType;
    last4: string | null;
    brand: string | null;
    name: string | null;
  };
  gatewayResponse: Record<string, unknown>;
  cardPresent: boolean;
  /** Rebill: the invoice this money pays (a subscription cycle's invoice settles the cycle). */
  invoiceId: string | null;
}

/**
 * Create an external payment intent: money that moved through another gateway, recorded
 * with what that gateway answered. `payment_method` describes it (never a full number).
 */
export function parseExternalIntentCreate(raw: unknown): ExternalIntentCreate {
  const body = bodyOf(raw);
  refuseUnknownFields(body, [
    'payment_intent',
    'payment_method',
    'gateway_response',
    'card_present',
    'invoice_id',
  ]);
  const intent = parseIntentCreate(body.payment_intent, 'payment_intent.');
  const pm = requiredObject(body.payment_method, 'payment_method');
  refuseUnknownFields(
    pm,
    ['payment_method_type', 'last4', 'brand', 'name', 'billing_details', 'card', 'bank'],
    'payment_method.',
  );
  if (
    !isAbsent((pm.card as Body | undefined)?.number) ||
    !isAbsent((pm.bank as Body | undefined)?.account_number)
  ) {
    throw new ValidationError(
      'payment_method',
      'must not carry a full card or account number: send last4 and brand',
    );
  }
  const type =
    optionalOneOf(
      pm.payment_method_type,
      'payment_method.payment_method_type',
      PAYMENT_METHOD_TYPES,
    ) ?? 'card';
  const last4 = optionalString(pm.last4, 'payment_method.last4', {
    pattern: /^\d{4}$/,
    patternText: 'the last 4 digits',
  });
  return {
    intent,
    paymentMethod: {
      type,
      last4: last4 || null,
      brand: optionalString(pm.brand, 'payment_method.brand', { max: 30 }) || null,
      name: optionalString(pm.name, 'payment_method.name', { max: 100 }) || null,
    },
    gatewayResponse: requiredGatewayResponse(body.gateway_response, 'gateway_response'),
    cardPresent: optionalBoolean(body.card_present, 'card_present') ?? false,
    invoiceId: optionalString(body.invoice_id, 'invoice_id', { max: 64 }) || null,
  };
}

function requiredGatewayResponse(value: unknown, field: string): Record<string, unknown> {
  const obj = requiredObject(value, field);
  if (JSON.stringify(obj).length > 16_000)
    throw new ValidationError(field, 'is too large (16 kB at most)');
  return obj;
}

export function parseExternalCancel(raw: unknown) {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['gateway_void_response', 'cancellation_reason']);
  return {
    reason:
      optionalOneOf(body.cancellation_reason, 'cancellation_reason', CANCELLATION_REASONS) ?? null,
    gatewayResponse: isAbsent(body.gateway_void_response)
      ? null
      : requiredGatewayResponse(body.gateway_void_response, 'gateway_void_response'),
  };
}

export function parseExternalCapture(raw: unknown) {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['amount', 'gateway_capture_response']);
  const amount = optionalCents(body.amount, 'amount');
  if (amount === 0) throw new ValidationError('amount', 'must be more than 0');
  return {
    amount: amount ?? null,
    gatewayResponse: requiredGatewayResponse(
      body.gateway_capture_response,
      'gateway_capture_response',
    ),
  };
}

export function parseExternalRefund(raw: unknown) {
  const body = bodyOf(raw);
  refuseUnknownFields(body, ['payment_intent_id', 'refund_request', 'gateway_response']);
  const request = optionalObject(body.refund_request, 'refund_request') ?? {};
  refuseUnknownFields(request, ['amount'], 'refund_request.');
  const amount = optionalCents(request.amount, 'refund_request.amount');
  if (amount === 0) throw new ValidationError('refund_request.amount', 'must be more than 0');
  return {
    paymentIntentId: requiredString(body.payment_intent_id, 'payment_intent_id', { max: 64 }),
    amount: amount ?? null,
    gatewayResponse: requiredGatewayResponse(body.gateway_response, 'gateway_response'),
  };
}
