import type { StoredPaymentMethod } from '../gateway/vault/payment-methods.port';
import type { TransactionSettlement } from '../gateway/payments-port';
import { PARTNER_ID } from './api/v1-auth';
import { avsChecks, cvvCheck } from './intent-state';
import type {
  CheckoutSession,
  IntentPayment,
  PaymentIntent,
  PaymentRefund,
} from './payment.entities';

/** The payments API's objects as the spec shapes them. Timestamps are ISO 8601 (UTC). */

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

function settlementOf(
  transactionId: string | null,
  settlements: Map<string, TransactionSettlement>,
  external: boolean,
): { settlement_status: 'settled' | 'unsettled'; settled_at: string | null } {
  const s = transactionId === null ? undefined : settlements.get(transactionId);
  if (s === undefined)
    return { settlement_status: external ? 'settled' : 'unsettled', settled_at: null };
  return { settlement_status: s.settled ? 'settled' : 'unsettled', settled_at: iso(s.settledAt) };
}

export function paymentMethodView(m: StoredPaymentMethod) {
  const isCard = m.type === 'card';
  return {
    id: m.id,
    entity: 'payment_method' as const,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    payment_method_type: isCard ? ('card' as const) : ('bank' as const),
    source_type: 'rebill_vault',
    billing_details: m.billingDetails,
    single_use_token: false,
    card: isCard
      ? {
          brand: m.cardType,
          last4: m.maskedNumber.slice(-4),
          masked_number: m.maskedNumber,
          exp_month: m.expirationMonth,
          exp_year: m.expirationYear,
        }
      : null,
    bank: isCard
      ? null
      : {
          last4: m.maskedNumber.slice(-4),
          masked_account_number: m.maskedNumber,
          routing_number: m.routingNumber,
          account_type: m.accountType,
        },
  };
}

export function paymentView(
  p: IntentPayment,
  settlements: Map<string, TransactionSettlement>,
  method: StoredPaymentMethod | null,
) {
  return {
    id: p.id,
    entity: 'payment' as const,
    status: p.status,
    billing_details: method?.billingDetails ?? null,
    amount: p.amount,
    amount_authorized: p.amountAuthorized,
    amount_captured: p.amountCaptured,
    amount_refunded: p.amountRefunded,
    amount_voided: p.amountVoided,
    amount_disputed: 0,
    amount_reversed: 0,
    cvv: p.cvv,
    avs: p.avs,
    ...avsChecks(p.avs),
    cvv_check: cvvCheck(p.cvv),
    signature: null,
    emv_tag_data: null,
    entry_mode: p.cardPresent ? 'swiped' : 'keyed',
    reversed: false,
    reversal_id: null,
    disputed: false,
    dispute_id: null,
    order_details: p.orderDetails,
    payment_intent_id: p.paymentIntentId,
    payment_method_id: p.paymentMethodId,
    payment_method: method === null ? null : paymentMethodView(method),
    auth_code: p.authCode,
    auth_response_text: p.authResponseText,
    external: p.external,
    card_present: p.cardPresent,
    /** Rebill: the gateway transaction this payment is (GET /api/transaction/{id}). */
    transaction_id: p.transactionId,
    gateway_response: p.external ? p.gatewayResponse : null,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    account_id: p.merchantId,
    reference_id: p.referenceId,
    user_fields: p.userFields,
    description: p.description,
    ...settlementOf(p.transactionId, settlements, p.external),
  };
}

export function intentView(
  i: PaymentIntent,
  clientSecret: string | null,
  latest: ReturnType<typeof paymentView> | null,
  settlements: Map<string, TransactionSettlement>,
  latestPayment: IntentPayment | null,
) {
  return {
    id: i.id,
    client_secret: clientSecret,
    entity: 'payment_intent' as const,
    status: i.status,
    amount: i.amount,
    merchant_amount: i.merchantAmount ?? i.amount,
    amount_authorized: i.amountAuthorized,
    amount_captured: i.amountCaptured,
    amount_refunded: i.amountRefunded,
    amount_voided: i.amountVoided,
    amount_disputed: 0,
    amount_reversed: 0,
    payment_splits: i.paymentSplits ?? [],
    order_details: i.orderDetails,
    capture: i.capture,
    currency: i.currency,
    latest_payment: latest,
    disputed: false,
    dispute_id: null,
    reversed: false,
    reversal_id: null,
    external: i.external,
    partner_id: PARTNER_ID,
    business_id: i.businessId,
    account_id: i.merchantId,
    payment_method_types: i.paymentMethodTypes,
    reference_id: i.referenceId,
    user_fields: i.userFields,
    cancellation_reason: i.cancellationReason,
    description: i.description,
    checkout_session_id: i.checkoutSessionId,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    cancelled_at: iso(i.cancelledAt),
    captured_at: iso(i.capturedAt),
    ...(latestPayment !== null && latestPayment.status === 'captured'
      ? settlementOf(latestPayment.transactionId, settlements, latestPayment.external)
      : { settlement_status: 'unsettled' as const, settled_at: null }),
  };
}

export type IntentView = ReturnType<typeof intentView>;

export function refundView(r: PaymentRefund, settlements: Map<string, TransactionSettlement>) {
  return {
    id: r.id,
    entity: 'refund' as const,
    status: r.status,
    external: r.external,
    amount: r.amount,
    account_id: r.merchantId,
    payment_id: r.paymentId,
    payment_intent_id: r.paymentIntentId,
    /** Rebill: 'refund' (a refund transaction), 'void' (the unsettled payment was voided) or 'external'. */
    method: r.method,
    transaction_id: r.transactionId,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    ...(r.method === 'void'
      ? { settlement_status: 'settled' as const, settled_at: iso(r.createdAt) }
      : settlementOf(r.transactionId, settlements, r.external)),
  };
}

export function checkoutSessionView(s: CheckoutSession, url: string) {
  return {
    id: s.id,
    entity: 'checkout_session' as const,
    url,
    cancel_url: s.cancelUrl,
    success_url: s.successUrl,
    customer_email: s.customerEmail,
    reference_id: s.referenceId,
    user_fields: s.userFields,
    payment_method_types: s.paymentMethodTypes,
    payment_intent_data: s.paymentIntentData,
    payment_intent_id: s.paymentIntentId,
    subtotal: s.subtotal,
    discount_amount: s.discountAmount,
    /** Rebill: what the customer pays, subtotal − discount_amount. */
    amount_total: s.subtotal - s.discountAmount,
    subscription: s.subscription,
    subscription_id: s.subscriptionId,
    customer_id: s.customerId,
    status: s.status,
    account_id: s.merchantId,
    partner_id: PARTNER_ID,
    business_id: s.businessId,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    expires_at: iso(s.expiresAt),
  };
}
