import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';

/**
 * One change a merchant's backend may react to, written in the same transaction as the
 * change itself (the outbox pattern), with the object's representation at that moment.
 */
@Entity('events')
export class EventRow {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  /** Per merchant, strictly increasing in commit order, without gaps. */
  @Column({ type: 'bigint', transformer: bigintCents })
  sequence!: number;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text', name: 'object_type' })
  objectType!: string;

  @Column({ type: 'text', name: 'object_id' })
  objectId!: string;

  @Column({ type: 'jsonb' })
  data!: unknown;

  @Column({ type: 'text', name: 'dedupe_key', nullable: true })
  dedupeKey!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
