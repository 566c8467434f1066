import { MigrationInterface, QueryRunner } from 'typeorm';

export class Events1700000150000 implements MigrationInterface {
  name = 'Events1700000150000';

  public async up(q: QueryRunner): Promise<void> {
    // One counter row per merchant. EventLog.record updates it in the caller's transaction,
    // so the row lock makes sequence order the commit order: a reader that has seen
    // sequence N never later finds a committed event below N (docs/webhooks.md, "Ordering").
    await q.query(`
      CREATE TABLE event_sequences (
        merchant_id text PRIMARY KEY REFERENCES merchants(id) ON DELETE CASCADE,
        last_sequence bigint NOT NULL CHECK (last_sequence >= 0)
      )`);
    await q.query(`
      CREATE TABLE events (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        sequence bigint NOT NULL CHECK (sequence > 0),
        type text NOT NULL,
        object_type text NOT NULL,
        object_id text NOT NULL,
        data jsonb NOT NULL,
        dedupe_key text,
        created_at timestamptz NOT NULL,
        CONSTRAINT events_merchant_sequence_key UNIQUE (merchant_id, sequence)
      )`);
    // Events that must happen once per fact (a card's expiry warning) carry a dedupe key.
    await q.query(
      `CREATE UNIQUE INDEX events_merchant_dedupe_key ON events (merchant_id, dedupe_key) WHERE dedupe_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX events_merchant_object_idx ON events (merchant_id, object_id, sequence)`,
    );
    await q.query(`CREATE INDEX events_merchant_type_idx ON events (merchant_id, type, sequence)`);
    await q.query(`CREATE INDEX events_merchant_created_idx ON events (merchant_id, created_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE events`);
    await q.query(`DROP TABLE event_sequences`);
  }
}
