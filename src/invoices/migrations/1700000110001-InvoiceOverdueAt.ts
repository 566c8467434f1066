import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * invoices.overdue_at: when an invoice becomes overdue, the end of its due day in the
 * merchant's time zone. Existing invoices keep the rule they were created under (overdue
 * after the due instant); new and updated ones get the merchant-local day.
 */
export class InvoiceOverdueAt1700000110001 implements MigrationInterface {
  name = 'InvoiceOverdueAt1700000110001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices ADD COLUMN overdue_at timestamptz`);
    await q.query(`UPDATE invoices SET overdue_at = date_due`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN overdue_at SET NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices DROP COLUMN overdue_at`);
  }
}
