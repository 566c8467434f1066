import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Terminals (card-present, simulated by the sandbox), settlement batches with their counts
 * and totals, the open batch number of each processor, and on each transaction the terminal
 * it ran on and the batch it settled in. Every existing merchant gets one sandbox terminal.
 */
export class TerminalsAndSettlement1700000120100 implements MigrationInterface {
  name = 'TerminalsAndSettlement1700000120100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE terminals (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        processor_id text,
        manufacturer text NOT NULL,
        model text NOT NULL,
        serial_number text NOT NULL DEFAULT '',
        tpn text NOT NULL DEFAULT '',
        description text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        auth_key_sealed text,
        auth_key_masked text NOT NULL DEFAULT '',
        register_id text NOT NULL DEFAULT '',
        auto_settle boolean NOT NULL DEFAULT true,
        settle_at text NOT NULL DEFAULT '00:00:00'
          CHECK (settle_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$'),
        open_batch_number int NOT NULL DEFAULT 1 CHECK (open_batch_number >= 1),
        last_settled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX terminals_merchant_idx ON terminals (merchant_id, created_at, id)`);
    await q.query(
      `CREATE UNIQUE INDEX terminals_serial_number_key ON terminals (merchant_id, serial_number)
        WHERE serial_number <> ''`,
    );
    await q.query(
      `CREATE INDEX terminals_auto_settle_idx ON terminals (settle_at) WHERE auto_settle AND status = 'active'`,
    );
    await q.query(`
      CREATE TABLE processor_settlement_counters (
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        processor_id text NOT NULL,
        open_batch_number int NOT NULL DEFAULT 1 CHECK (open_batch_number >= 1),
        PRIMARY KEY (merchant_id, processor_id)
      )`);
    await q.query(`
      CREATE TABLE settlement_batches (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        processor_id text NOT NULL,
        terminal_id text REFERENCES terminals(id),
        batch_number int NOT NULL,
        currency text NOT NULL,
        batch_date timestamptz NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('manual', 'scheduled')),
        transaction_count int NOT NULL,
        sale_count int NOT NULL,
        sale_amount bigint NOT NULL CHECK (sale_amount >= 0),
        refund_count int NOT NULL,
        refund_amount bigint NOT NULL CHECK (refund_amount >= 0),
        credit_count int NOT NULL,
        credit_amount bigint NOT NULL CHECK (credit_amount >= 0),
        net_amount bigint NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    // One batch per number, scope (a terminal, or a processor's card-not-present transactions) and currency.
    await q.query(
      `CREATE UNIQUE INDEX settlement_batches_number_key
         ON settlement_batches (merchant_id, processor_id, coalesce(terminal_id, ''), batch_number, currency)`,
    );
    await q.query(
      `CREATE INDEX settlement_batches_merchant_date_idx ON settlement_batches (merchant_id, batch_date, id)`,
    );
    await q.query(`
      ALTER TABLE gateway_transactions
        ADD COLUMN terminal_id text REFERENCES terminals(id),
        ADD COLUMN batch_number int,
        ADD COLUMN settlement_batch_id text REFERENCES settlement_batches(id)`);
    await q.query(
      `CREATE INDEX gateway_transactions_open_batch_idx ON gateway_transactions (merchant_id, processor_id, terminal_id)
        WHERE status = 'pending_settlement'`,
    );
    await q.query(
      `ALTER TABLE gateway_transactions DROP CONSTRAINT gateway_transactions_payment_method_check`,
    );
    await q.query(
      `ALTER TABLE gateway_transactions ADD CONSTRAINT gateway_transactions_payment_method_check
         CHECK (payment_method IN ('card', 'ach', 'customer', 'token', 'terminal', 'apple_pay', 'google_pay'))`,
    );
    await q.query(`
      INSERT INTO terminals (id, merchant_id, manufacturer, model, serial_number, description, created_at, updated_at)
      SELECT substr(md5(random()::text || m.id), 1, 20), m.id, 'rebill', 'sandbox',
             'SBX' || upper(substr(md5(m.id), 1, 10)), 'Sandbox terminal', now(), now()
        FROM merchants m`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE gateway_transactions DROP CONSTRAINT gateway_transactions_payment_method_check`,
    );
    await q.query(
      `ALTER TABLE gateway_transactions ADD CONSTRAINT gateway_transactions_payment_method_check
         CHECK (payment_method IN ('card', 'ach', 'customer', 'token'))`,
    );
    await q.query(`DROP INDEX gateway_transactions_open_batch_idx`);
    await q.query(`
      ALTER TABLE gateway_transactions
        DROP COLUMN terminal_id, DROP COLUMN batch_number, DROP COLUMN settlement_batch_id`);
    await q.query(`DROP TABLE settlement_batches`);
    await q.query(`DROP TABLE processor_settlement_counters`);
    await q.query(`DROP TABLE terminals`);
  }
}
