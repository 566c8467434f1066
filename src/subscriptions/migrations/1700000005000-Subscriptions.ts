import { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES = `'active', 'paused', 'past_due', 'cancelled', 'completed'`;

/** Subscriptions, their add-ons and discounts, and their event history. */
export class Subscriptions1700000005000 implements MigrationInterface {
  name = 'Subscriptions1700000005000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscriptions (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        plan_id text REFERENCES plans(id),
        description text NOT NULL,
        status text NOT NULL CHECK (status IN (${STATUSES})),
        customer_id text NOT NULL,
        payment_method_type text CHECK (payment_method_type IN ('card', 'ach')),
        payment_method_id text,
        billing_address_id text,
        shipping_address_id text,
        processor_id text,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        billing_frequency text NOT NULL CHECK (billing_frequency IN ('monthly', 'twice_monthly', 'daily')),
        billing_cycle_interval int NOT NULL CHECK (billing_cycle_interval >= 1),
        billing_days text NOT NULL,
        charge_on_day boolean NOT NULL,
        duration int NOT NULL CHECK (duration >= 0),
        next_bill_date date NOT NULL,
        billing_count int NOT NULL DEFAULT 0 CHECK (billing_count >= 0),
        timezone text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    // The billing run's question: which active subscriptions bill on or before a date.
    await q.query(
      `CREATE INDEX subscriptions_status_next_bill_date_idx ON subscriptions (status, next_bill_date)`,
    );
    await q.query(
      `CREATE INDEX subscriptions_merchant_created_idx ON subscriptions (merchant_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX subscriptions_merchant_customer_idx ON subscriptions (merchant_id, customer_id)`,
    );
    await q.query(
      `CREATE INDEX subscriptions_merchant_plan_idx ON subscriptions (merchant_id, plan_id)`,
    );
    await q.query(`
      CREATE TABLE subscription_adjustments (
        subscription_id text NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('add_on', 'discount')),
        position int NOT NULL CHECK (position >= 0),
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        source_id text NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        amount bigint CHECK (amount >= 0),
        percentage int CHECK (percentage = 0 OR percentage BETWEEN 100 AND 100000),
        duration int NOT NULL CHECK (duration >= 0),
        attached_at_billing int NOT NULL CHECK (attached_at_billing >= 0),
        PRIMARY KEY (subscription_id, kind, position),
        UNIQUE (subscription_id, kind, source_id),
        CHECK ((amount IS NULL) <> (percentage IS NULL))
      )`);
    await q.query(`
      CREATE TABLE subscription_events (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        subscription_id text NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        type text NOT NULL,
        from_status text CHECK (from_status IN (${STATUSES})),
        to_status text CHECK (to_status IN (${STATUSES})),
        actor text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        seq bigserial NOT NULL
      )`);
    await q.query(
      `CREATE INDEX subscription_events_subscription_idx ON subscription_events (subscription_id, seq)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_events`);
    await q.query(`DROP TABLE subscription_adjustments`);
    await q.query(`DROP TABLE subscriptions`);
  }
}
