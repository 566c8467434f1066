import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';

/** docs/payments-api.md, "Payment intents": the state machine. */
export type PaymentIntentStatus =
  'created' | 'pending' | 'uncaptured' | 'captured' | 'cancelled' | 'failed';
export type PaymentStatus =
  'pending' | 'uncaptured' | 'captured' | 'cancelled' | 'voided' | 'failed';
export type PaymentMethodType = 'card' | 'bank';
export type CancellationReason = 'duplicate' | 'fraudulent' | 'requested_by_customer' | 'abandoned';

/** An amount to take, and everything that happened to it (the amounts of its payments). */
@Entity('payment_intents')
@Index(['merchantId', 'createdAt'])
export class PaymentIntent {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'business_id', nullable: true })
  businessId!: string | null;

  @Column({ type: 'text' })
  status!: PaymentIntentStatus;

  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  @Column({ type: 'bigint', name: 'merchant_amount', nullable: true, transformer: bigintCents })
  merchantAmount!: number | null;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'boolean' })
  capture!: boolean;

  @Column({ type: 'bigint', name: 'amount_authorized', transformer: bigintCents })
  amountAuthorized!: number;

  @Column({ type: 'bigint', name: 'amount_captured', transformer: bigintCents })
  amountCaptured!: number;

  @Column({ type: 'bigint', name: 'amount_refunded', transformer: bigintCents })
  amountRefunded!: number;

  @Column({ type: 'bigint', name: 'amount_voided', transformer: bigintCents })
  amountVoided!: number;

  @Column({ type: 'text', array: true, name: 'payment_method_types' })
  paymentMethodTypes!: PaymentMethodType[];

  @Column({ type: 'text', name: 'reference_id', nullable: true })
  referenceId!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'jsonb', name: 'user_fields', nullable: true })
  userFields!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', name: 'order_details', nullable: true })
  orderDetails!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', name: 'payment_splits', nullable: true })
  paymentSplits!: unknown[] | null;

  /** The client secret, sealed with the field cipher (it is shown again to the merchant). */
  @Column({ type: 'text', name: 'client_secret_sealed' })
  clientSecretSealed!: string;

  @Column({ type: 'text', name: 'client_secret_hash', unique: true })
  clientSecretHash!: string;

  @Column({ type: 'text', name: 'cancellation_reason', nullable: true })
  cancellationReason!: CancellationReason | null;

  @Column({ type: 'boolean' })
  external!: boolean;

  @Column({ type: 'text', name: 'latest_payment_id', nullable: true })
  latestPaymentId!: string | null;

  @Column({ type: 'text', name: 'checkout_session_id', nullable: true })
  checkoutSessionId!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'cancelled_at', nullable: true })
  cancelledAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'captured_at', nullable: true })
  capturedAt!: Date | null;
}

/**
 * One attempt to pay an intent. An attempt through Rebill is one gateway transaction of the
 * merchant's processor (`transaction_id`, unique): the same money the gateway API shows.
 * An external payment records money that moved elsewhere (`external`, `gateway_response`).
 */
@Entity('payment_intent_payments')
@Index(['merchantId', 'paymentIntentId', 'createdAt'])
export class IntentPayment {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'payment_intent_id' })
  paymentIntentId!: string;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  @Column({ type: 'bigint', name: 'amount_authorized', transformer: bigintCents })
  amountAuthorized!: number;

  @Column({ type: 'bigint', name: 'amount_captured', transformer: bigintCents })
  amountCaptured!: number;

  @Column({ type: 'bigint', name: 'amount_refunded', transformer: bigintCents })
  amountRefunded!: number;

  @Column({ type: 'bigint', name: 'amount_voided', transformer: bigintCents })
  amountVoided!: number;

  @Column({ type: 'text', name: 'processor_id', nullable: true })
  processorId!: string | null;

  /** The gateway transaction (the gateway API's `GET /api/transaction/{id}`). */
  @Column({ type: 'text', name: 'transaction_id', nullable: true })
  transactionId!: string | null;

  /** Sent with the gateway call; derived from the id, so a retried attempt never charges twice. */
  @Column({ type: 'text', name: 'gateway_idempotency_key', nullable: true })
  gatewayIdempotencyKey!: string | null;

  @Column({ type: 'text', name: 'customer_id', nullable: true })
  customerId!: string | null;

  @Column({ type: 'text', name: 'payment_method_id', nullable: true })
  paymentMethodId!: string | null;

  @Column({ type: 'text', name: 'payment_method_type', nullable: true })
  paymentMethodType!: PaymentMethodType | null;

  @Column({ type: 'int', name: 'response_code', default: 0 })
  responseCode!: number;

  @Column({ type: 'text', nullable: true })
  avs!: string | null;

  @Column({ type: 'text', nullable: true })
  cvv!: string | null;

  @Column({ type: 'text', name: 'auth_code', nullable: true })
  authCode!: string | null;

  @Column({ type: 'text', name: 'auth_response_text', nullable: true })
  authResponseText!: string | null;

  @Column({ type: 'boolean' })
  external!: boolean;

  @Column({ type: 'boolean', name: 'card_present', default: false })
  cardPresent!: boolean;

  /** External payments: what the merchant's other gateway answered. */
  @Column({ type: 'jsonb', name: 'gateway_response', nullable: true })
  gatewayResponse!: Record<string, unknown> | null;

  /** The CIT/MIT fields the gateway call carried. */
  @Column({ type: 'jsonb', name: 'stored_credential', nullable: true })
  storedCredential!: Record<string, unknown> | null;

  @Column({ type: 'text', name: 'reference_id', nullable: true })
  referenceId!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'jsonb', name: 'user_fields', nullable: true })
  userFields!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', name: 'order_details', nullable: true })
  orderDetails!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/** Money given back on a payment: a refund transaction, or the void of an unsettled capture. */
@Entity('payment_refunds')
@Index(['merchantId', 'paymentIntentId'])
export class PaymentRefund {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'payment_intent_id' })
  paymentIntentId!: string;

  @Column({ type: 'text', name: 'payment_id' })
  paymentId!: string;

  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  @Column({ type: 'text' })
  status!: RefundStatus;

  /** 'refund': a refund transaction of its own; 'void': the payment's transaction was voided. */
  @Column({ type: 'text' })
  method!: 'refund' | 'void' | 'external';

  @Column({ type: 'boolean' })
  external!: boolean;

  @Column({ type: 'text', name: 'transaction_id', nullable: true })
  transactionId!: string | null;

  @Column({ type: 'jsonb', name: 'gateway_response', nullable: true })
  gatewayResponse!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

export type CheckoutSessionStatus = 'open' | 'complete' | 'expired';

/** Rebill's extension: sign the customer up to a plan when the checkout is paid. */
export interface CheckoutSubscriptionData {
  plan_id: string;
  name?: string;
  description?: string;
}

@Entity('checkout_sessions')
@Index(['merchantId', 'createdAt'])
export class CheckoutSession {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'business_id', nullable: true })
  businessId!: string | null;

  @Column({ type: 'text' })
  status!: CheckoutSessionStatus;

  /** The hosted page's unguessable token: the page's only credential. */
  @Column({ type: 'text', name: 'public_token', unique: true })
  publicToken!: string;

  @Column({ type: 'text', name: 'cancel_url' })
  cancelUrl!: string;

  @Column({ type: 'text', name: 'success_url' })
  successUrl!: string;

  @Column({ type: 'text', name: 'customer_email' })
  customerEmail!: string;

  @Column({ type: 'text', name: 'reference_id', nullable: true })
  referenceId!: string | null;

  @Column({ type: 'jsonb', name: 'user_fields', nullable: true })
  userFields!: Record<string, unknown> | null;

  @Column({ type: 'text', array: true, name: 'payment_method_types' })
  paymentMethodTypes!: PaymentMethodType[];

  @Column({ type: 'jsonb', name: 'payment_intent_data' })
  paymentIntentData!: Record<string, unknown>;

  @Column({ type: 'bigint', transformer: bigintCents })
  subtotal!: number;

  @Column({ type: 'bigint', name: 'discount_amount', transformer: bigintCents })
  discountAmount!: number;

  @Column({ type: 'text', name: 'payment_intent_id', nullable: true })
  paymentIntentId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  subscription!: CheckoutSubscriptionData | null;

  @Column({ type: 'text', name: 'subscription_id', nullable: true })
  subscriptionId!: string | null;

  /** The vault customer created when the session is paid. */
  @Column({ type: 'text', name: 'customer_id', nullable: true })
  customerId!: string | null;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
