import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Partner keys create merchants. Stored hashed, like API keys. */
@Entity('partner_keys')
export class PartnerKey {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'key_hash', unique: true })
  keyHash!: string;

  @Column({ type: 'text' })
  source!: 'generated' | 'environment';

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
