import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('users')
@Index(['merchantId'])
export class User {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  /** Unique among live users, whatever its case (users_username_live_key). */
  @Column({ type: 'text' })
  username!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  phone!: string;

  @Column({ type: 'text', default: '' })
  email!: string;

  @Column({ type: 'text', default: 'UTC' })
  timezone!: string;

  @Column({ type: 'text', default: 'active' })
  status!: 'active' | 'disabled';

  @Column({ type: 'text', default: 'admin' })
  role!: 'admin' | 'standard';

  /** argon2id (PHC string); null for a user that has never set a password. */
  @Column({ type: 'text', name: 'password_hash', nullable: true, select: false })
  passwordHash!: string | null;

  /** Bumped on password change, disable and delete: tokens carry it, older ones are revoked. */
  @Column({ type: 'int', name: 'token_version', default: 0 })
  tokenVersion!: number;

  @Column({ type: 'jsonb', default: {} })
  permissions!: Record<string, boolean>;

  @Column({ type: 'jsonb', default: {} })
  notifications!: Record<string, Record<string, boolean>>;

  @Column({ type: 'jsonb', default: {} })
  defaults!: Record<string, string | boolean>;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
