import { Column, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';
import type { AdjustmentKind } from './adjustments';

/**
 * The columns of an add-on or discount attached to a plan or a subscription: a copy of the
 * catalog item (`sourceId`) with the owner's overrides applied. Each owner's entity adds its
 * own key column.
 */
export abstract class AttachedAdjustmentColumns {
  @PrimaryColumn({ type: 'text' })
  kind!: AdjustmentKind;

  /** Order within the owner's add_ons[] or discounts[]. */
  @PrimaryColumn({ type: 'int' })
  position!: number;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  /** The catalog add-on's or discount's id; the API shows it as the entry's `id`. */
  @Column({ type: 'text', name: 'source_id' })
  sourceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'bigint', nullable: true, transformer: bigintCents })
  amount!: number | null;

  @Column({ type: 'int', nullable: true })
  percentage!: number | null;

  @Column({ type: 'int' })
  duration!: number;
}
