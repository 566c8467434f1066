import { Column, Entity, PrimaryColumn } from 'typeorm';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * One email to send. It is written in the same transaction as the change that caused it
 * (an invoice created, a payment recorded), so a rolled-back change sends nothing and a
 * committed one is never forgotten; the OutboxWorker sends it and records the outcome.
 */
@Entity('email_outbox')
export class OutboxEmail {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  /** What caused it ("invoice_new", "invoice_receipt", ...): for logs, searches and tests. */
  @Column({ type: 'text' })
  kind!: string;

  /** The row it is about (an invoice id), when there is one. */
  @Column({ type: 'text', name: 'subject_id', nullable: true })
  subjectId!: string | null;

  @Column({ type: 'text', name: 'from_address' })
  fromAddress!: string;

  @Column({ type: 'text', name: 'to_address' })
  toAddress!: string;

  @Column({ type: 'text', name: 'reply_to', nullable: true })
  replyTo!: string | null;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text', name: 'text_body' })
  textBody!: string;

  @Column({ type: 'text', name: 'html_body', nullable: true })
  htmlBody!: string | null;

  @Column({ type: 'text' })
  status!: OutboxStatus;

  @Column({ type: 'int' })
  attempts!: number;

  @Column({ type: 'timestamptz', name: 'next_attempt_at' })
  nextAttemptAt!: Date;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  /** The SMTP Message-ID, or the file written, once sent. */
  @Column({ type: 'text', name: 'delivery_ref', nullable: true })
  deliveryRef!: string | null;

  @Column({ type: 'timestamptz', name: 'sent_at', nullable: true })
  sentAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
