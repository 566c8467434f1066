import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';

/** A ledger transaction: one movement of a merchant's balance (the spec's "transaction"). */
@Entity('ledger_transactions')
export class LedgerTransactionRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'text', name: 'ledger_account_id' }) ledgerAccountId!: string;
  @Column({ type: 'text', name: 'source_type' }) sourceType!: string;
  @Column({ type: 'text', name: 'source_id' }) sourceId!: string;
  @Column({ type: 'bigint', transformer: bigintCents }) amount!: number;
  @Column({ type: 'text', name: 'settlement_status' }) settlementStatus!: 'settled' | 'unsettled';
  @Column({ type: 'timestamptz', name: 'settled_at', nullable: true }) settledAt!: Date | null;
  @Column({ type: 'text', name: 'payout_id', nullable: true }) payoutId!: string | null;
  @Column({ type: 'text', name: 'settlement_id', nullable: true }) settlementId!: string | null;
  @Column({ type: 'text' }) description!: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

@Entity('payouts')
export class PayoutRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'int', name: 'payout_number' }) payoutNumber!: number;
  @Column({ type: 'date', name: 'payout_date' }) payoutDate!: string;
  @Column({ type: 'text' }) status!: 'created' | 'paid' | 'returned';
  @Column({ type: 'bigint', transformer: bigintCents }) amount!: number;
  @Column({ type: 'bigint', name: 'net_amount', transformer: bigintCents }) netAmount!: number;
  @Column({ type: 'bigint', name: 'fee_amount', transformer: bigintCents }) feeAmount!: number;
  @Column({ type: 'bigint', name: 'batch_fee', transformer: bigintCents }) batchFee!: number;
  @Column({ type: 'bigint', name: 'reject_fee', transformer: bigintCents }) rejectFee!: number;
  @Column({ type: 'int', name: 'transaction_count' }) transactionCount!: number;
  @Column({ type: 'jsonb', name: 'transaction_summary' })
  transactionSummary!: { source_type: string; count: number; amount: number }[];
  @Column({ type: 'jsonb', name: 'payment_data' })
  paymentData!: { attempt: number; status: string; at: string; reason: string | null }[];
  @Column({ type: 'int', name: 'payment_attempt_count' }) paymentAttemptCount!: number;
  @Column({ type: 'int', name: 'payment_reject_count' }) paymentRejectCount!: number;
  @Column({ type: 'text', name: 'business_id', nullable: true }) businessId!: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'settled_at', nullable: true }) settledAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'returned_at', nullable: true }) returnedAt!: Date | null;
}

@Entity('disputes')
export class DisputeRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId!: string;
  @Column({ type: 'text', name: 'payment_id' }) paymentId!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'bigint', transformer: bigintCents }) amount!: number;
  @Column({ type: 'bigint', transformer: bigintCents }) fee!: number;
  @Column({ type: 'text' }) status!: 'new' | 'under_review' | 'won' | 'lost';
  @Column({ type: 'int', name: 'reason_disputed_code' }) reasonDisputedCode!: number;
  @Column({ type: 'text', name: 'reason_disputed' }) reasonDisputed!: string;
  @Column({ type: 'date', name: 'dispute_date' }) disputeDate!: string;
  @Column({ type: 'date', name: 'response_due_date' }) responseDueDate!: string;
  @Column({ type: 'date', name: 'closed_date', nullable: true }) closedDate!: string | null;
  @Column({ type: 'text', name: 'dispute_response', nullable: true }) disputeResponse!:
    string | null;
  @Column({ type: 'jsonb', name: 'reference_meta' }) referenceMeta!: Record<string, unknown>;
  @Column({ type: 'text', name: 'business_id', nullable: true }) businessId!: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}
