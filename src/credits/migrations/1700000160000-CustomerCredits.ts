import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A customer's credit balance: an append-only list of entries (grants are positive,
 * consumptions negative) and, per customer and currency, the running balance the entries
 * add up to. The balance row is what concurrent writers lock; its CHECK keeps it from ever
 * going negative, and the unique source keeps a retried grant or consumption from counting twice.
 */
export class CustomerCredits1700000160000 implements MigrationInterface {
  name = 'CustomerCredits1700000160000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_credit_balances (
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        customer_id text NOT NULL,
        currency text NOT NULL,
        balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, customer_id, currency)
      )`);
    await q.query(`
      CREATE TABLE customer_credit_entries (
        id text PRIMARY KEY,
        merchant_id text NOT NULL,
        customer_id text NOT NULL,
        currency text NOT NULL,
        amount bigint NOT NULL CHECK (amount <> 0),
        balance_after bigint NOT NULL CHECK (balance_after >= 0),
        reason text NOT NULL CHECK (reason IN ('manual', 'proration', 'refund', 'invoice')),
        source_type text NOT NULL,
        source_id text NOT NULL,
        description text NOT NULL,
        created_by text,
        created_at timestamptz NOT NULL,
        FOREIGN KEY (merchant_id, customer_id, currency)
          REFERENCES customer_credit_balances (merchant_id, customer_id, currency) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX customer_credit_entries_source_uq
         ON customer_credit_entries (merchant_id, source_type, source_id, reason)`,
    );
    await q.query(
      `CREATE INDEX customer_credit_entries_customer_idx
         ON customer_credit_entries (merchant_id, customer_id, created_at, id)`,
    );
    // Entries are never edited: a correction is a new entry.
    await q.query(`
      CREATE FUNCTION customer_credit_entries_refuse_update() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'customer_credit_entries are append-only';
      END $$ LANGUAGE plpgsql`);
    await q.query(`
      CREATE TRIGGER customer_credit_entries_append_only BEFORE UPDATE ON customer_credit_entries
        FOR EACH ROW EXECUTE FUNCTION customer_credit_entries_refuse_update()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_credit_entries`);
    await q.query(`DROP FUNCTION customer_credit_entries_refuse_update()`);
    await q.query(`DROP TABLE customer_credit_balances`);
  }
}
