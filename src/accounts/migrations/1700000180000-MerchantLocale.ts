import { MigrationInterface, QueryRunner } from 'typeorm';

/** The locale a merchant's invoices, pages, PDFs and emails are written in (BCP 47). */
export class MerchantLocale1700000180000 implements MigrationInterface {
  name = 'MerchantLocale1700000180000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merchants ADD COLUMN locale text NOT NULL DEFAULT 'en-US'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merchants DROP COLUMN locale`);
  }
}
