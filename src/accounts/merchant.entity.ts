import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A merchant is a tenant: every row it owns carries its id. */
@Entity('merchants')
export class Merchant {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** IANA time zone; billing dates are calendar dates in this zone. */
  @Column({ type: 'text', default: 'UTC' })
  timezone!: string;

  /** BCP 47 locale its invoices are written in ("en-US", "de-DE"); an invoice may override it. */
  @Column({ type: 'text', default: 'en-US' })
  locale!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
