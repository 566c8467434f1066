import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The billing run's records. Exactly-once rests on two unique constraints:
 * one cycle per (subscription, bill date), and one charge attempt per (subscription, bill
 * date, attempt number) whose idempotency key is sent to the gateway.
 */
export class BillingRun1700000008000 implements MigrationInterface {
  name = 'BillingRun1700000008000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merchant_billing_settings (
        merchant_id text PRIMARY KEY REFERENCES merchants(id) ON DELETE CASCADE,
        retry_days int[] NOT NULL DEFAULT '{3,5,7}',
        final_action text NOT NULL DEFAULT 'past_due' CHECK (final_action IN ('cancel', 'pause', 'past_due')),
        catch_up text NOT NULL DEFAULT 'each' CHECK (catch_up IN ('each', 'latest')),
        run_at_local_time text NOT NULL DEFAULT '02:00',
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE billing_cycles (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        subscription_id text NOT NULL,
        bill_date date NOT NULL,
        billing_number int NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency text NOT NULL,
        lines jsonb NOT NULL,
        invoice_id text,
        status text NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'void')),
        attempts int NOT NULL DEFAULT 0,
        next_retry_date date,
        paid_transaction_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT billing_cycles_one_per_date UNIQUE (subscription_id, bill_date)
      )`);
    await q.query(
      `CREATE INDEX billing_cycles_retry_idx ON billing_cycles (next_retry_date) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE INDEX billing_cycles_merchant_idx ON billing_cycles (merchant_id, bill_date)`,
    );
    await q.query(`
      CREATE TABLE charge_attempts (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        subscription_id text NOT NULL,
        cycle_id text NOT NULL REFERENCES billing_cycles(id),
        bill_date date NOT NULL,
        attempt int NOT NULL CHECK (attempt >= 1),
        idempotency_key text NOT NULL UNIQUE,
        order_id text NOT NULL,
        processor_id text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        state text NOT NULL CHECK (state IN ('started', 'approved', 'declined', 'unknown')),
        recovery_point text NOT NULL CHECK (recovery_point IN ('attempt_recorded', 'outcome_recorded')),
        initiated_by text NOT NULL,
        stored_credential jsonb,
        payment_method_id text,
        gateway_transaction_id text,
        response_code int,
        decline_kind text,
        message text,
        run_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT charge_attempts_one_per_try UNIQUE (subscription_id, bill_date, attempt)
      )`);
    await q.query(
      `CREATE INDEX charge_attempts_unsettled_idx ON charge_attempts (subscription_id) WHERE state IN ('started', 'unknown')`,
    );
    await q.query(
      `CREATE INDEX charge_attempts_merchant_idx ON charge_attempts (merchant_id, created_at)`,
    );
    await q.query(`
      CREATE TABLE billing_runs (
        id text PRIMARY KEY,
        merchant_id text REFERENCES merchants(id) ON DELETE CASCADE,
        as_of date NOT NULL,
        dry_run boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        triggered_by text NOT NULL,
        summary jsonb NOT NULL,
        error text,
        started_at timestamptz NOT NULL,
        finished_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX billing_runs_merchant_idx ON billing_runs (merchant_id, started_at DESC)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing_runs`);
    await q.query(`DROP TABLE charge_attempts`);
    await q.query(`DROP TABLE billing_cycles`);
    await q.query(`DROP TABLE merchant_billing_settings`);
  }
}
