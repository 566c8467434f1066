import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';
import type { AdjustmentKind } from './adjustments';

/**
 * An add-on or a discount in a merchant's catalog (`/api/recurring/addon`, `/discount`).
 * Plans and subscriptions copy it when they attach it, so changing or deleting it later does
 * not change what they bill.
 */
@Entity('recurring_adjustments')
@Index(['merchantId', 'kind'])
export class CatalogAdjustment {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  kind!: AdjustmentKind;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  /** Flat cents; exactly one of amount and percentage is set. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintCents })
  amount!: number | null;

  /** Thousandths of a percent of the subscription's amount (10000 = 10.000%). */
  @Column({ type: 'int', nullable: true })
  percentage!: number | null;

  /** Billings it applies to; 0 = until cancelled. */
  @Column({ type: 'int' })
  duration!: number;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
