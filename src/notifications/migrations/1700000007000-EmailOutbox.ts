import { MigrationInterface, QueryRunner } from 'typeorm';

export class EmailOutbox1700000007000 implements MigrationInterface {
  name = 'EmailOutbox1700000007000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_outbox (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        kind text NOT NULL,
        subject_id text,
        from_address text NOT NULL,
        to_address text NOT NULL,
        reply_to text,
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        delivery_ref text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // The worker's claim query: due pending messages, oldest first.
    await q.query(
      `CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX email_outbox_merchant_subject_idx ON email_outbox (merchant_id, subject_id)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_outbox`);
  }
}
