import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../../platform/database/bigint.transformer';
import type {
  BillingMethod,
  CardOnFileIndicator,
  InitiatedBy,
  StoredCredentialIndicator,
} from '../cit-mit';
import type { TransactionStatus } from '../gateway';

/** How the transaction was paid (spec search: payment_method). */
export type TransactionPaymentMethod =
  'card' | 'ach' | 'customer' | 'token' | 'terminal' | 'apple_pay' | 'google_pay';

export type TransactionType = 'sale' | 'authorize' | 'verification' | 'credit' | 'refund';

/** The address as a transaction carries it (spec field names). */
export interface TransactionAddress {
  address_id?: string;
  first_name: string;
  last_name: string;
  company: string;
  address_line_1: string;
  address_line_2: string;
  city: string;
  state: string;
  postal_code: string;
  country: string;
  phone: string;
  fax: string;
  email: string;
}

/** The spec's `response.card` or `response.ach` block: masked details and the processor's answer. */
export type ResponseDetails = Record<string, unknown>;

/** A sandbox transaction (spec: Transactions). Amounts are cents. */
@Entity('gateway_transactions')
@Index(['merchantId', 'createdAt', 'id'])
@Index(['merchantId', 'orderId'])
@Index(['merchantId', 'idempotencyKey'])
export class GatewayTransactionRow {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'processor_id' })
  processorId!: string;

  @Column({ type: 'text', name: 'user_id', nullable: true })
  userId!: string | null;

  @Column({ type: 'text' })
  type!: TransactionType;

  @Column({ type: 'text' })
  status!: TransactionStatus;

  @Column({ type: 'int', name: 'response_code' })
  responseCode!: number;

  @Column({ type: 'text', name: 'response_text' })
  responseText!: string;

  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  @Column({ type: 'bigint', name: 'base_amount', nullable: true, transformer: bigintCents })
  baseAmount!: number | null;

  @Column({ type: 'bigint', name: 'surcharge_amount', transformer: bigintCents, default: 0 })
  surchargeAmount!: number;

  @Column({ type: 'bigint', name: 'service_fee', transformer: bigintCents, default: 0 })
  serviceFee!: number;

  @Column({ type: 'bigint', name: 'amount_authorized', transformer: bigintCents, default: 0 })
  amountAuthorized!: number;

  @Column({ type: 'bigint', name: 'amount_captured', transformer: bigintCents, default: 0 })
  amountCaptured!: number;

  @Column({ type: 'bigint', name: 'amount_settled', transformer: bigintCents, default: 0 })
  amountSettled!: number;

  @Column({ type: 'bigint', name: 'amount_refunded', transformer: bigintCents, default: 0 })
  amountRefunded!: number;

  @Column({ type: 'bigint', name: 'tax_amount', transformer: bigintCents, default: 0 })
  taxAmount!: number;

  @Column({ type: 'bigint', name: 'shipping_amount', transformer: bigintCents, default: 0 })
  shippingAmount!: number;

  @Column({ type: 'boolean', name: 'tax_exempt', default: false })
  taxExempt!: boolean;

  @Column({ type: 'text', default: 'USD' })
  currency!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text', name: 'order_id', default: '' })
  orderId!: string;

  @Column({ type: 'text', name: 'po_number', default: '' })
  poNumber!: string;

  @Column({ type: 'text', name: 'ip_address', default: '' })
  ipAddress!: string;

  @Column({ type: 'boolean', name: 'email_receipt', default: false })
  emailReceipt!: boolean;

  @Column({ type: 'text', name: 'email_address', default: '' })
  emailAddress!: string;

  @Column({ type: 'text', name: 'payment_method' })
  paymentMethod!: TransactionPaymentMethod;

  @Column({ type: 'text', name: 'payment_type' })
  paymentType!: 'card' | 'ach';

  @Column({ type: 'text', name: 'customer_id', nullable: true })
  customerId!: string | null;

  @Column({ type: 'text', name: 'customer_payment_method_id', nullable: true })
  customerPaymentMethodId!: string | null;

  @Column({ type: 'jsonb', name: 'response_details' })
  responseDetails!: ResponseDetails;

  @Column({ type: 'jsonb', name: 'billing_address', nullable: true })
  billingAddress!: TransactionAddress | null;

  @Column({ type: 'jsonb', name: 'shipping_address', nullable: true })
  shippingAddress!: TransactionAddress | null;

  @Column({ type: 'text', name: 'card_on_file_indicator', nullable: true })
  cardOnFileIndicator!: CardOnFileIndicator | null;

  @Column({ type: 'text', name: 'initiated_by', nullable: true })
  initiatedBy!: InitiatedBy | null;

  @Column({ type: 'text', name: 'initial_transaction_id', nullable: true })
  initialTransactionId!: string | null;

  @Column({ type: 'text', name: 'stored_credential_indicator', nullable: true })
  storedCredentialIndicator!: StoredCredentialIndicator | null;

  @Column({ type: 'text', name: 'billing_method', default: 'straight' })
  billingMethod!: BillingMethod;

  @Column({ type: 'text', name: 'idempotency_key', nullable: true })
  idempotencyKey!: string | null;

  /** For a refund: the sale it refunds. */
  @Column({ type: 'text', name: 'referenced_transaction_id', nullable: true })
  referencedTransactionId!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'captured_at', nullable: true })
  capturedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'settled_at', nullable: true })
  settledAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'voided_at', nullable: true })
  voidedAt!: Date | null;

  /** The terminal a card-present transaction ran on. */
  @Column({ type: 'text', name: 'terminal_id', nullable: true })
  terminalId!: string | null;

  /** The settlement batch it closed in (for a terminal sale: its open batch from the start). */
  @Column({ type: 'int', name: 'batch_number', nullable: true })
  batchNumber!: number | null;

  @Column({ type: 'text', name: 'settlement_batch_id', nullable: true })
  settlementBatchId!: string | null;
}

/** One claim per merchant and body idempotency_key (spec: duplicates within 5 minutes). */
@Entity('gateway_idempotency_claims')
export class GatewayIdempotencyClaim {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'text', name: 'request_hash' })
  requestHash!: string;

  @Column({ type: 'text', name: 'transaction_id' })
  transactionId!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;
}
