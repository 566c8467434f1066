import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../../platform/database/bigint.transformer';

/**
 * A settlement batch: the transactions of one terminal, or one processor's card-not-present
 * transactions, closed together in one currency. Amounts are cents.
 */
@Entity('settlement_batches')
export class SettlementBatch {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'processor_id' })
  processorId!: string;

  @Column({ type: 'text', name: 'terminal_id', nullable: true })
  terminalId!: string | null;

  @Column({ type: 'int', name: 'batch_number' })
  batchNumber!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'timestamptz', name: 'batch_date' })
  batchDate!: Date;

  @Column({ type: 'text' })
  trigger!: 'manual' | 'scheduled';

  @Column({ type: 'int', name: 'transaction_count' })
  transactionCount!: number;

  @Column({ type: 'int', name: 'sale_count' })
  saleCount!: number;

  @Column({ type: 'bigint', name: 'sale_amount', transformer: bigintCents })
  saleAmount!: number;

  @Column({ type: 'int', name: 'refund_count' })
  refundCount!: number;

  @Column({ type: 'bigint', name: 'refund_amount', transformer: bigintCents })
  refundAmount!: number;

  @Column({ type: 'int', name: 'credit_count' })
  creditCount!: number;

  @Column({ type: 'bigint', name: 'credit_amount', transformer: bigintCents })
  creditAmount!: number;

  @Column({ type: 'bigint', name: 'net_amount', transformer: bigintCents })
  netAmount!: number;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}

export function settlementBatchView(b: SettlementBatch) {
  return {
    id: b.id,
    merchant_id: b.merchantId,
    processor_id: b.processorId,
    terminal_id: b.terminalId ?? '',
    batch_number: b.batchNumber,
    batch_date: b.batchDate.toISOString(),
    currency: b.currency.toLowerCase(),
    trigger: b.trigger,
    transaction_count: b.transactionCount,
    sale_count: b.saleCount,
    sale_amount: b.saleAmount,
    refund_count: b.refundCount,
    refund_amount: b.refundAmount,
    credit_count: b.creditCount,
    credit_amount: b.creditAmount,
    net_amount: b.netAmount,
    created_at: b.createdAt.toISOString(),
  };
}
