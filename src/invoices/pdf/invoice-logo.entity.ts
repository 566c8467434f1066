import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A merchant logo fetched for invoice PDFs: once per (merchant, URL), kept whatever came back. */
@Entity('invoice_logos')
export class InvoiceLogo {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text' })
  url!: string;

  /** image/png or image/jpeg; '' when the fetch failed. */
  @Column({ type: 'text', name: 'content_type' })
  contentType!: string;

  @Column({ type: 'bytea', nullable: true })
  image!: Buffer | null;

  /** Why there is no image ("timed out after 3 s", "not a PNG or JPEG"); '' when there is one. */
  @Column({ type: 'text' })
  failure!: string;

  @Column({ type: 'timestamptz', name: 'fetched_at' })
  fetchedAt!: Date;
}
