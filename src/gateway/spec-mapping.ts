/**
 * The engine's requests as the spec's request bodies, and the spec's responses as the
 * engine's outcomes. Both gateway implementations use these, so the in-process sandbox and
 * the HTTP adapter send and read exactly the same shapes.
 */
import type {
  ChargeOutcome,
  ChargeRequest,
  ChargeSource,
  GatewayCustomer,
  GatewayTransaction,
  TransactionStatus,
  VaultCustomerInput,
} from './gateway';
import { declineKindOf, responseClass, responseCode } from './response-codes';

export type ChargeType = 'sale' | 'authorize' | 'verification' | 'credit';

type Json = Record<string, unknown>;

/** Spec: Transactions → Process, request body. */
export function chargeBody(
  type: ChargeType,
  req: Omit<ChargeRequest, 'amount'> & { amount?: number },
  processorId?: string,
): Json {
  const body: Json = {
    idempotency_key: req.idempotencyKey,
    type,
    amount: type === 'verification' ? 0 : req.amount,
    currency: req.currency ?? 'USD',
    payment_method: paymentMethodBody(req.source),
  };
  if (processorId !== undefined) body.processor_id = processorId;
  if (req.orderId !== undefined) body.order_id = req.orderId;
  if (req.poNumber !== undefined) body.po_number = req.poNumber;
  if (req.description !== undefined) body.description = req.description;
  if (req.taxAmount !== undefined) body.tax_amount = req.taxAmount;
  if (req.shippingAmount !== undefined) body.shipping_amount = req.shippingAmount;
  if (req.allowPartialPayment !== undefined) body.allow_partial_payment = req.allowPartialPayment;
  if (req.emailReceipt !== undefined) body.email_receipt = req.emailReceipt;
  if (req.emailAddress !== undefined) body.email_address = req.emailAddress;
  const cit = req.storedCredential;
  if (cit !== undefined) {
    body.card_on_file_indicator = cit.card_on_file_indicator;
    body.initiated_by = cit.initiated_by;
    body.stored_credential_indicator = cit.stored_credential_indicator;
    body.billing_method = cit.billing_method;
    if (cit.initial_transaction_id !== null)
      body.initial_transaction_id = cit.initial_transaction_id;
  }
  return body;
}

export function paymentMethodBody(source: ChargeSource): Json {
  switch (source.kind) {
    case 'customer': {
      const customer: Json = { id: source.customerId };
      if (source.paymentMethodId !== undefined) customer.payment_method_id = source.paymentMethodId;
      if (source.paymentMethodType !== undefined)
        customer.payment_method_type = source.paymentMethodType;
      if (source.billingAddressId !== undefined)
        customer.billing_address_id = source.billingAddressId;
      if (source.shippingAddressId !== undefined)
        customer.shipping_address_id = source.shippingAddressId;
      return { customer };
    }
    case 'card': {
      const card: Json = {
        entry_type: 'keyed',
        number: source.number,
        expiration_date: source.expirationDate,
      };
      if (source.cvc !== undefined) card.cvc = source.cvc;
      return { card };
    }
    case 'ach':
      return {
        ach: {
          routing_number: source.routingNumber,
          account_number: source.accountNumber,
          account_type: source.accountType,
          sec_code: source.secCode,
        },
      };
    case 'token':
      return { token: source.token };
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function responseBlock(data: Json): Json {
  const response = data.response;
  if (response === null || typeof response !== 'object') return {};
  const r = response as Json;
  const block = r.card ?? r.ach ?? Object.values(r)[0];
  return block !== null && typeof block === 'object' ? (block as Json) : {};
}

/**
 * A transaction from the spec's response `data`. Gateways that send no `response_code`
 * (the spec's example has none) are read from `status`.
 */
export function gatewayTransactionFrom(data: Json): GatewayTransaction {
  const status = (str(data.status) ?? 'unknown') as TransactionStatus;
  const code = num(
    data.response_code,
    status === 'declined' ? 200 : status === 'unknown' ? 0 : 100,
  );
  return {
    id: String(data.id ?? ''),
    type: String(data.type ?? ''),
    status,
    responseCode: code,
    amount: num(data.amount, 0),
    amountAuthorized: num(
      data.amount_authorized,
      code >= 100 && code < 200 ? num(data.amount, 0) : 0,
    ),
    amountCaptured: num(data.amount_captured, 0),
    amountSettled: num(data.amount_settled, 0),
    amountRefunded: num(data.amount_refunded, 0),
    orderId: str(data.order_id),
    idempotencyKey: str(data.idempotency_key),
    customerId: str(data.customer_id),
    createdAt: String(data.created_at ?? ''),
  };
}

/** The engine's outcome of a charge whose answer arrived. */
export function outcomeFromTransaction(data: Json, amountRequested: number): ChargeOutcome {
  const t = gatewayTransactionFrom(data);
  const block = responseBlock(data);
  if (t.status === 'unknown' || t.responseCode === 0) {
    return unknownOutcome(amountRequested, 'gateway_status_unknown', t.id || null);
  }
  const cls = responseClass(t.responseCode);
  const kind = cls === 'declined' ? 'declined' : cls;
  return {
    kind,
    transactionId: t.id || null,
    responseCode: t.responseCode,
    message:
      str(data.response_text) ??
      str(block.processor_response_text) ??
      responseCode(t.responseCode).text,
    declineKind: kind === 'declined' ? declineKindOf(t.responseCode) : null,
    amountRequested,
    amountApproved: kind === 'declined' ? 0 : t.amountAuthorized,
    status: t.status,
    avsResponseCode: str(block.avs_response_code),
    cvvResponseCode: str(block.cvv_response_code),
    authCode: str(block.auth_code),
  };
}

export function unknownOutcome(
  amountRequested: number,
  reason: string,
  transactionId: string | null = null,
): ChargeOutcome {
  return {
    kind: 'unknown',
    transactionId,
    responseCode: 0,
    message: `outcome unknown (${reason}): resolve it with findAttempt before trying again`,
    declineKind: null,
    amountRequested,
    amountApproved: 0,
    status: 'unknown',
    avsResponseCode: null,
    cvvResponseCode: null,
    authCode: null,
    unknownReason: reason,
  };
}

/** A request the gateway refused outright (HTTP 4xx): nothing was charged. */
export function refusedOutcome(
  amountRequested: number,
  httpStatus: number,
  message: string,
): ChargeOutcome {
  // A key or configuration problem is the merchant's to fix, not the card's: soft. Bad input
  // (a deleted customer, no payment method) will not fix itself: hard.
  const code = httpStatus === 401 || httpStatus === 403 ? 410 : httpStatus === 429 ? 420 : 300;
  return {
    kind: 'declined',
    transactionId: null,
    responseCode: code,
    message,
    declineKind: declineKindOf(code),
    amountRequested,
    amountApproved: 0,
    status: 'declined',
    avsResponseCode: null,
    cvvResponseCode: null,
    authCode: null,
  };
}

/** Spec: Create Customer Record, request body. */
export function vaultCustomerBody(input: VaultCustomerInput): Json {
  const body: Json = {};
  if (input.id !== undefined) body.id = input.id;
  if (input.description !== undefined) body.description = input.description;
  if (input.flags !== undefined) body.flags = input.flags;
  if (input.payment !== undefined) {
    const p = input.payment;
    body.default_payment =
      p.kind === 'card'
        ? { card: { number: p.number, expiration_date: p.expirationDate } }
        : p.kind === 'token'
          ? { token: p.token }
          : paymentMethodBody(p);
  }
  if (input.billingAddress !== undefined) body.default_billing_address = input.billingAddress;
  if (input.shippingAddress !== undefined) body.default_shipping_address = input.shippingAddress;
  return body;
}

/** Spec: Get Customer Record By ID, response `data`. */
export function customerFrom(data: Json): GatewayCustomer {
  const inner = ((data.data as Json | undefined)?.customer ?? {}) as Json;
  const defaults = (inner.defaults ?? {}) as Json;
  const payments = (inner.payments ?? {}) as Json;
  const cards = Array.isArray(payments.cards) ? (payments.cards as Json[]) : [];
  const ach = Array.isArray(payments.ach) ? (payments.ach as Json[]) : [];
  const type = str(defaults.payment_method_type);
  return {
    id: String(data.id ?? ''),
    defaultPaymentMethodId: str(defaults.payment_method_id),
    defaultPaymentMethodType: type === 'card' || type === 'ach' ? type : null,
    paymentMethods: [
      ...cards.map((c) => ({
        id: String(c.id ?? ''),
        type: 'card' as const,
        masked: String(c.masked_number ?? ''),
        cardType: str(c.card_type),
      })),
      ...ach.map((a) => ({
        id: String(a.id ?? ''),
        type: 'ach' as const,
        masked: String(a.masked_account_number ?? ''),
        cardType: null,
      })),
    ],
  };
}
