import { Column, Entity, PrimaryColumn } from 'typeorm';

export type FileBatchStatus = 'queued' | 'processing' | 'completed' | 'failed';

/** An uploaded CSV of transactions (spec: File Batch) and its progress. */
@Entity('file_batches')
export class FileBatch {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'user_id', nullable: true })
  userId!: string | null;

  @Column({ type: 'text', name: 'file_name' })
  fileName!: string;

  /** The header, normalized (lowercase), in the file's order. */
  @Column({ type: 'text', array: true })
  columns!: string[];

  @Column({ type: 'text' })
  status!: FileBatchStatus;

  @Column({ type: 'int', name: 'row_count' })
  rowCount!: number;

  @Column({ type: 'int', name: 'processed_count' })
  processedCount!: number;

  @Column({ type: 'int', name: 'approved_count' })
  approvedCount!: number;

  @Column({ type: 'int', name: 'declined_count' })
  declinedCount!: number;

  @Column({ type: 'int', name: 'error_count' })
  errorCount!: number;

  @Column({ type: 'text', name: 'failure_reason' })
  failureReason!: string;

  @Column({ type: 'text', name: 'lease_owner', nullable: true })
  leaseOwner!: string | null;

  @Column({ type: 'timestamptz', name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

export function fileBatchView(b: FileBatch) {
  return {
    id: b.id,
    status: b.status,
    file_name: b.fileName,
    columns: b.columns,
    rows: b.rowCount,
    processed: b.processedCount,
    approved: b.approvedCount,
    declined: b.declinedCount,
    errors: b.errorCount,
    // Whole percent, rounded down, so 100 means every row has its result.
    progress: b.rowCount === 0 ? 100 : Math.floor((b.processedCount * 100) / b.rowCount),
    failure_reason: b.failureReason,
    created_at: b.createdAt.toISOString(),
    started_at: b.startedAt?.toISOString() ?? null,
    completed_at: b.completedAt?.toISOString() ?? null,
    updated_at: b.updatedAt.toISOString(),
  };
}
