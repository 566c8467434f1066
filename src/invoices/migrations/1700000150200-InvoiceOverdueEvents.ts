import { MigrationInterface, QueryRunner } from 'typeorm';

/** When the invoice.overdue event of an invoice's current due date was recorded. */
export class InvoiceOverdueEvents1700000150200 implements MigrationInterface {
  name = 'InvoiceOverdueEvents1700000150200';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices ADD COLUMN overdue_event_at timestamptz`);
    // The sweep's claim: open invoices past due whose event is not recorded yet.
    await q.query(
      `CREATE INDEX invoices_overdue_event_due_idx ON invoices (date_due)
        WHERE overdue_event_at IS NULL AND status IN ('pending', 'partially_paid') AND deleted_at IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX invoices_overdue_event_due_idx`);
    await q.query(`ALTER TABLE invoices DROP COLUMN overdue_event_at`);
  }
}
