import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * File batches (spec: File Batch): an uploaded CSV and its rows. A row's fields are sealed
 * (they hold card and account numbers); only masked forms and results are in the clear.
 * A row is `attempting` from just before its transaction runs until its result is stored,
 * so a worker that dies in between leaves a mark the next one resolves by lookup.
 */
export class FileBatches1700000120200 implements MigrationInterface {
  name = 'FileBatches1700000120200';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE file_batches (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        user_id text,
        file_name text NOT NULL DEFAULT '',
        columns text[] NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
        row_count int NOT NULL DEFAULT 0,
        processed_count int NOT NULL DEFAULT 0,
        approved_count int NOT NULL DEFAULT 0,
        declined_count int NOT NULL DEFAULT 0,
        error_count int NOT NULL DEFAULT 0,
        failure_reason text NOT NULL DEFAULT '',
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL,
        started_at timestamptz,
        completed_at timestamptz,
        updated_at timestamptz NOT NULL,
        CHECK (processed_count = approved_count + declined_count + error_count),
        CHECK (processed_count <= row_count)
      )`);
    await q.query(
      `CREATE INDEX file_batches_merchant_idx ON file_batches (merchant_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX file_batches_open_idx ON file_batches (created_at) WHERE status IN ('queued', 'processing')`,
    );
    await q.query(`
      CREATE TABLE file_batch_rows (
        batch_id text NOT NULL REFERENCES file_batches(id) ON DELETE CASCADE,
        row_number int NOT NULL,
        fields_sealed text NOT NULL,
        transaction_type text NOT NULL DEFAULT '',
        amount text NOT NULL DEFAULT '',
        masked_card text NOT NULL DEFAULT '',
        masked_account text NOT NULL DEFAULT '',
        customer_id text NOT NULL DEFAULT '',
        order_id text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'attempting', 'approved', 'declined', 'error')),
        transaction_id text,
        response_code int,
        response_text text NOT NULL DEFAULT '',
        error text NOT NULL DEFAULT '',
        PRIMARY KEY (batch_id, row_number)
      )`);
    await q.query(
      `CREATE INDEX file_batch_rows_open_idx ON file_batch_rows (batch_id, row_number)
        WHERE status IN ('pending', 'attempting')`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE file_batch_rows`);
    await q.query(`DROP TABLE file_batches`);
  }
}
