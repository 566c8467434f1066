import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An invoice's own locale (null: the merchant's), and the merchant logos fetched for the
 * PDF: each (merchant, URL) is fetched once and kept, success or failure, so rendering a
 * PDF never waits on a logo host twice.
 */
export class InvoiceDocuments1700000180001 implements MigrationInterface {
  name = 'InvoiceDocuments1700000180001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices ADD COLUMN locale text`);
    await q.query(`
      CREATE TABLE invoice_logos (
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        url text NOT NULL,
        content_type text NOT NULL DEFAULT '',
        image bytea,
        failure text NOT NULL DEFAULT '',
        fetched_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, url)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invoice_logos`);
    await q.query(`ALTER TABLE invoices DROP COLUMN locale`);
  }
}
