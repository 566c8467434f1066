import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry ledger (docs/ledger.md): accounts, an append-only journal whose entries
 * balance (enforced at commit by a deferred constraint trigger), the ledger transactions a
 * merchant sees, processing plans, payouts and disputes.
 */
export class Ledger1700000140000 implements MigrationInterface {
  name = 'Ledger1700000140000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_accounts (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        kind text NOT NULL CHECK (kind IN ('merchant_pending', 'merchant_available', 'processor_receivable',
          'settlement_cash', 'payouts_in_transit', 'fee_revenue', 'adjustments')),
        created_at timestamptz NOT NULL,
        UNIQUE (merchant_id, currency, kind)
      )`);
    await q.query(`
      CREATE TABLE ledger_transactions (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        currency text NOT NULL,
        ledger_account_id text NOT NULL REFERENCES ledger_accounts(id),
        source_type text NOT NULL,
        source_id text NOT NULL,
        amount bigint NOT NULL,
        settlement_status text NOT NULL CHECK (settlement_status IN ('settled', 'unsettled')),
        settled_at timestamptz,
        payout_id text,
        -- false for a payout's own transactions (the payout, its return): never paid out themselves.
        payable boolean NOT NULL DEFAULT true,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        -- Exactly once: a movement is recorded once, whatever retries or second workers do.
        UNIQUE (merchant_id, source_type, source_id)
      )`);
    await q.query(
      `CREATE INDEX ledger_transactions_list ON ledger_transactions (merchant_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX ledger_transactions_source ON ledger_transactions (merchant_id, source_id)`,
    );
    await q.query(
      `CREATE INDEX ledger_transactions_payout ON ledger_transactions (merchant_id, payout_id) WHERE payout_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ledger_transactions_unpaid ON ledger_transactions (merchant_id, currency)
        WHERE payout_id IS NULL AND settlement_status = 'settled' AND payable`,
    );
    await q.query(`
      CREATE TABLE ledger_entries (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        currency text NOT NULL,
        kind text NOT NULL,
        ledger_transaction_id text REFERENCES ledger_transactions(id),
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX ledger_entries_transaction ON ledger_entries (ledger_transaction_id)`,
    );
    await q.query(`
      CREATE TABLE ledger_lines (
        id bigserial PRIMARY KEY,
        entry_id text NOT NULL REFERENCES ledger_entries(id),
        account_id text NOT NULL REFERENCES ledger_accounts(id),
        amount bigint NOT NULL CHECK (amount <> 0)
      )`);
    await q.query(`CREATE INDEX ledger_lines_entry ON ledger_lines (entry_id)`);
    await q.query(`CREATE INDEX ledger_lines_account ON ledger_lines (account_id)`);

    // Append-only: a correction is a new entry.
    await q.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the ledger journal is append-only (% on %)', TG_OP, TG_TABLE_NAME;
      END $$`);
    await q.query(`CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
    await q.query(`CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);

    // Balanced per entry, and every line in the entry's currency and merchant, checked at commit.
    await q.query(`
      CREATE FUNCTION ledger_check_entry() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE total numeric; strays int;
      BEGIN
        SELECT coalesce(sum(l.amount), 0),
               count(*) FILTER (WHERE a.currency <> e.currency OR a.merchant_id <> e.merchant_id)
          INTO total, strays
          FROM ledger_lines l
          JOIN ledger_accounts a ON a.id = l.account_id
          JOIN ledger_entries e ON e.id = l.entry_id
         WHERE l.entry_id = NEW.entry_id;
        IF total <> 0 THEN
          RAISE EXCEPTION 'ledger entry % does not balance (debits - credits = %)', NEW.entry_id, total;
        END IF;
        IF strays > 0 THEN
          RAISE EXCEPTION 'ledger entry % has lines in another currency or merchant', NEW.entry_id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE CONSTRAINT TRIGGER ledger_lines_balanced AFTER INSERT ON ledger_lines
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry()`);

    await q.query(`
      CREATE TABLE processing_plans (
        merchant_id text PRIMARY KEY REFERENCES merchants(id) ON DELETE CASCADE,
        id text NOT NULL UNIQUE,
        plan jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE payouts (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        currency text NOT NULL,
        payout_number int NOT NULL,
        payout_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('created', 'paid', 'returned')),
        amount bigint NOT NULL CHECK (amount > 0),
        net_amount bigint NOT NULL CHECK (net_amount >= 0),
        fee_amount bigint NOT NULL CHECK (fee_amount >= 0),
        batch_fee bigint NOT NULL DEFAULT 0 CHECK (batch_fee >= 0),
        reject_fee bigint NOT NULL DEFAULT 0 CHECK (reject_fee >= 0),
        transaction_count int NOT NULL,
        transaction_summary jsonb NOT NULL,
        payment_data jsonb NOT NULL DEFAULT '[]',
        payment_attempt_count int NOT NULL DEFAULT 1,
        payment_reject_count int NOT NULL DEFAULT 0,
        business_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        settled_at timestamptz,
        completed_at timestamptz,
        returned_at timestamptz,
        UNIQUE (merchant_id, payout_number),
        -- One payout per merchant, currency and payout day, whatever runs twice.
        UNIQUE (merchant_id, currency, payout_date)
      )`);
    await q.query(`CREATE INDEX payouts_list ON payouts (merchant_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE disputes (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        payment_id text NOT NULL,
        currency text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        fee bigint NOT NULL DEFAULT 0 CHECK (fee >= 0),
        status text NOT NULL CHECK (status IN ('new', 'under_review', 'won', 'lost')),
        reason_disputed_code int NOT NULL,
        reason_disputed text NOT NULL,
        dispute_date date NOT NULL,
        response_due_date date NOT NULL,
        closed_date date,
        dispute_response text,
        reference_meta jsonb NOT NULL DEFAULT '{}',
        business_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (merchant_id, payment_id)
      )`);
    await q.query(`CREATE INDEX disputes_list ON disputes (merchant_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE dispute_notes (
        id text PRIMARY KEY,
        dispute_id text NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
        note text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX dispute_notes_dispute ON dispute_notes (dispute_id, created_at)`);
    await q.query(`
      CREATE TABLE dispute_attachments (
        id text PRIMARY KEY,
        dispute_id text NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
        filename text NOT NULL,
        content_type text NOT NULL,
        size int NOT NULL,
        sha256 text NOT NULL,
        content bytea NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX dispute_attachments_dispute ON dispute_attachments (dispute_id, created_at)`,
    );
    // The sandbox network's disputes to come: a settled payment of a dispute test amount.
    await q.query(`
      CREATE TABLE sandbox_dispute_schedule (
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        payment_id text NOT NULL,
        currency text NOT NULL,
        amount bigint NOT NULL,
        reason_disputed_code int NOT NULL,
        raise_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, payment_id)
      )`);
    await q.query(
      `CREATE INDEX sandbox_dispute_schedule_due ON sandbox_dispute_schedule (raise_at)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'sandbox_dispute_schedule',
      'dispute_attachments',
      'dispute_notes',
      'disputes',
      'payouts',
      'processing_plans',
      'ledger_lines',
      'ledger_entries',
      'ledger_transactions',
      'ledger_accounts',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`DROP FUNCTION ledger_check_entry`);
    await q.query(`DROP FUNCTION ledger_refuse_change`);
  }
}
