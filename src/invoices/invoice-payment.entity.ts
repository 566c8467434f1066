import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';

/**
 * pending:  written and committed before the gateway is called; the outcome is not yet known
 * approved: the gateway approved it (or it was recorded as paid outside Rebill)
 * declined: the gateway declined it; nothing was charged
 * unknown:  the gateway did not answer; resolved by calling again with the same idempotency key
 */
export type InvoicePaymentStatus = 'pending' | 'approved' | 'declined' | 'unknown';
export type InvoicePaymentSource = 'hosted_page' | 'mark_as_paid' | 'recorded';

/** A payment of an invoice, or an attempt at one (a row per hosted-page form submission). */
@Entity('invoice_payments')
export class InvoicePayment {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'invoice_id' })
  invoiceId!: string;

  @Column({ type: 'text' })
  source!: InvoicePaymentSource;

  /** card, ach, mail (a cheque recorded with mark-as-paid) or other. */
  @Column({ type: 'text' })
  method!: string;

  /** The hosted form's one-time nonce; unique per invoice, so a resubmitted form is one payment. */
  @Column({ type: 'text', nullable: true })
  nonce!: string | null;

  /** The gateway idempotency key, derived from the payment id. */
  @Column({ type: 'text', name: 'idempotency_key', nullable: true })
  idempotencyKey!: string | null;

  /** What the payment takes off the invoice's amount due. */
  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  /** The fee program's card fee charged on top (shown to the customer before paying). */
  @Column({ type: 'bigint', transformer: bigintCents })
  surcharge!: number;

  /** The processor's service fee charged on top. */
  @Column({ type: 'bigint', name: 'service_fee', transformer: bigintCents })
  serviceFee!: number;

  /** What the gateway was asked to charge: amount + surcharge + service fee (less a cash price reduction). */
  @Column({ type: 'bigint', name: 'charged_amount', transformer: bigintCents })
  chargedAmount!: number;

  @Column({ type: 'text' })
  status!: InvoicePaymentStatus;

  @Column({ type: 'text', name: 'transaction_id', nullable: true })
  transactionId!: string | null;

  @Column({ type: 'text', name: 'processor_id', nullable: true })
  processorId!: string | null;

  /** The gateway's response text ("Approved", "Insufficient funds"), or the merchant's note. */
  @Column({ type: 'text', name: 'response_text' })
  responseText!: string;

  /** A masked card ("411111******1111") or account, for the receipt. */
  @Column({ type: 'text', name: 'masked_account' })
  maskedAccount!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
