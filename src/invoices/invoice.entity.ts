import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';

/**
 * What Rebill stores about the invoice's money state. `overdue` is not stored: it is
 * derived from the due date and the clock (invoice-status.ts), so it is never stale.
 */
export type StoredInvoiceStatus = 'pending' | 'partially_paid' | 'paid' | 'cancelled';
export type InvoiceStatus = StoredInvoiceStatus | 'overdue';
export type PaymentMethodType = 'card' | 'ach' | 'mail';
export type SendVia = 'email' | 'text' | 'both' | 'none';

/** payable_to / bill_to, as the spec spells them. */
export interface InvoiceAddress {
  id: string;
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

/** One line as requested, with its id and the amounts the calculation core gave it. */
export interface StoredInvoiceItem {
  id: string;
  status: 'pending' | 'paid';
  type: string;
  name: string;
  description: string;
  unit_price: number;
  quantity: number;
  quantity_shipped: number;
  product_code: string;
  commodity_code: string;
  unit_of_measure: string;
  alternate_tax_identifier: string;
  taxable: boolean;
  local_tax_rate: string;
  national_tax_rate: string;
  tax_rate: string;
  /** Flat amounts as requested (cents). */
  local_tax: number;
  national_tax: number;
  tax_amount: number;
  discount_amount: number;
  freight_amount: number;
  /** Computed by invoiceTotals. */
  computed: {
    discount_amount: number;
    freight_amount: number;
    local_tax: number;
    national_tax: number;
    tax_amount: number;
    amount: number;
  };
}

@Entity('invoices')
export class Invoice {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'invoice_number', nullable: true })
  invoiceNumber!: string | null;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text', name: 'company_name' })
  companyName!: string;

  /** BCP 47 locale of its page, PDF and emails; null: the merchant's. */
  @Column({ type: 'text', nullable: true })
  locale!: string | null;

  @Column({ type: 'text', name: 'company_logo_url' })
  companyLogoUrl!: string;

  @Column({ type: 'text', name: 'customer_number' })
  customerNumber!: string;

  @Column({ type: 'text', name: 'customer_id' })
  customerId!: string;

  @Column({ type: 'jsonb', name: 'payable_to' })
  payableTo!: InvoiceAddress;

  @Column({ type: 'jsonb', name: 'bill_to' })
  billTo!: InvoiceAddress;

  @Column({ type: 'timestamptz', name: 'date_due' })
  dateDue!: Date;

  /**
   * When the invoice becomes overdue: the end of its due day in the merchant's time zone
   * (the next local midnight), fixed when date_due is set (invoice-status.ts).
   */
  @Column({ type: 'timestamptz', name: 'overdue_at' })
  overdueAt!: Date;

  @Column({ type: 'jsonb' })
  items!: StoredInvoiceItem[];

  @Column({ type: 'boolean', name: 'advanced_fields' })
  advancedFields!: boolean;

  @Column({ type: 'boolean', name: 'enable_tax' })
  enableTax!: boolean;

  @Column({ type: 'boolean', name: 'enable_shipping' })
  enableShipping!: boolean;

  @Column({ type: 'boolean', name: 'require_shipping_details' })
  requireShippingDetails!: boolean;

  @Column({ type: 'boolean', name: 'require_billing_details_on_payment_only' })
  requireBillingDetailsOnPaymentOnly!: boolean;

  /** As given ("8.250"); "" when none. */
  @Column({ type: 'text', name: 'tax_percent' })
  taxPercent!: string;

  /** The flat tax as requested (used when tax_percent is "0.000"). */
  @Column({ type: 'bigint', name: 'tax_input', transformer: bigintCents })
  taxInput!: number;

  /** The shipping as requested (counted only with enable_shipping). */
  @Column({ type: 'bigint', name: 'shipping_input', transformer: bigintCents })
  shippingInput!: number;

  @Column({ type: 'bigint', transformer: bigintCents })
  subtotal!: number;

  @Column({ type: 'bigint', transformer: bigintCents })
  tax!: number;

  @Column({ type: 'bigint', transformer: bigintCents })
  shipping!: number;

  @Column({ type: 'bigint', transformer: bigintCents })
  adjustment!: number;

  @Column({ type: 'bigint', transformer: bigintCents })
  total!: number;

  @Column({ type: 'bigint', name: 'amount_paid', transformer: bigintCents })
  amountPaid!: number;

  @Column({ type: 'bigint', name: 'service_fees_paid', transformer: bigintCents })
  serviceFeesPaid!: number;

  @Column({ type: 'bigint', name: 'surcharge_paid', transformer: bigintCents })
  surchargePaid!: number;

  @Column({ type: 'bigint', name: 'discount_credited', transformer: bigintCents })
  discountCredited!: number;

  @Column({ type: 'bigint', name: 'amount_due', transformer: bigintCents })
  amountDue!: number;

  @Column({ type: 'boolean', name: 'allow_partial_payment' })
  allowPartialPayment!: boolean;

  @Column({ type: 'text', name: 'transaction_type' })
  transactionType!: 'sale' | 'authorize';

  @Column({ type: 'jsonb', name: 'payment_methods' })
  paymentMethods!: PaymentMethodType[];

  /** As given ("" = the merchant's default processor, resolved when paying). */
  @Column({ type: 'text', name: 'card_processor_id' })
  cardProcessorId!: string;

  @Column({ type: 'text', name: 'ach_processor_id' })
  achProcessorId!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'text', name: 'reject_message' })
  rejectMessage!: string;

  @Column({ type: 'text', name: 'send_via' })
  sendVia!: SendVia;

  @Column({ type: 'text', name: 'email_to' })
  emailTo!: string;

  @Column({ type: 'text' })
  status!: StoredInvoiceStatus;

  /** The hosted page's unguessable token (the spec's `public_url`). */
  @Column({ type: 'text', name: 'public_token' })
  publicToken!: string;

  /** Set by the billing run: the subscription and the cycle this invoice bills. */
  @Column({ type: 'text', name: 'subscription_id', nullable: true })
  subscriptionId!: string | null;

  @Column({ type: 'text', name: 'billing_cycle_key', nullable: true })
  billingCycleKey!: string | null;

  @Column({ type: 'timestamptz', name: 'last_sent_at', nullable: true })
  lastSentAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'reminder_sent_at', nullable: true })
  reminderSentAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'overdue_notice_sent_at', nullable: true })
  overdueNoticeSentAt!: Date | null;

  /** When invoice.overdue was recorded for the current due date (docs/webhooks.md). */
  @Column({ type: 'timestamptz', name: 'overdue_event_at', nullable: true })
  overdueEventAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'paid_at', nullable: true })
  paidAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'cancelled_at', nullable: true })
  cancelledAt!: Date | null;

  /** DELETE /api/invoice/{id}: the invoice is gone from the API, its row kept as cancelled. */
  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
