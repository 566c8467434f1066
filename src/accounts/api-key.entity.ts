import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ApiKeyType = 'api' | 'public';

/**
 * An API key belongs to a user of a merchant. Only a SHA-256 hash of the key is stored;
 * the full key is returned once, when it is created.
 */
@Entity('api_keys')
@Index(['merchantId'])
export class ApiKey {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'user_id' })
  userId!: string;

  @Column({ type: 'text' })
  type!: ApiKeyType;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', name: 'key_hash', unique: true })
  keyHash!: string;

  /** The key with its middle masked, e.g. `api_2hQI…XrLJ`, so a user can tell keys apart. */
  @Column({ type: 'text', name: 'masked_key' })
  maskedKey!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
