import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The first response to an `x-idempotency-key` is kept per merchant for an hour and replayed.
 * A row with `state = 'in_flight'` marks a request that is still running.
 */
@Entity('idempotency_keys')
@Index(['expiresAt'])
export class IdempotencyKey {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'text', name: 'request_hash' })
  requestHash!: string;

  @Column({ type: 'text' })
  state!: 'in_flight' | 'completed';

  @Column({ type: 'int', name: 'response_status', nullable: true })
  responseStatus!: number | null;

  /** The exact response text first sent, sealed with the field cipher (it may hold a secret). */
  @Column({ type: 'text', name: 'response_sealed', nullable: true })
  responseSealed!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;
}
