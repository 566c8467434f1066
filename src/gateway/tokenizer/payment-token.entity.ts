import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A single-use token standing for card or bank details; only its hash is stored. */
@Entity('payment_tokens')
@Index(['expiresAt'])
export class PaymentToken {
  @PrimaryColumn({ type: 'text', name: 'token_hash' })
  tokenHash!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  type!: 'card' | 'ach';

  @Column({ type: 'text', name: 'details_sealed' })
  detailsSealed!: string;

  @Column({ type: 'text', name: 'masked_number' })
  maskedNumber!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', name: 'used_at', nullable: true })
  usedAt!: Date | null;
}
