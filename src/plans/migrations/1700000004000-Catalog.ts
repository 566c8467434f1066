import { MigrationInterface, QueryRunner } from 'typeorm';

/** The recurring catalog: add-ons, discounts, plans and the plans' copies of add-ons and discounts. */
export class Catalog1700000004000 implements MigrationInterface {
  name = 'Catalog1700000004000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recurring_adjustments (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('add_on', 'discount')),
        name text NOT NULL,
        description text NOT NULL,
        amount bigint CHECK (amount >= 0),
        percentage int CHECK (percentage = 0 OR percentage BETWEEN 100 AND 100000),
        duration int NOT NULL CHECK (duration >= 0),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz,
        CHECK ((amount IS NULL) <> (percentage IS NULL))
      )`);
    await q.query(
      `CREATE INDEX recurring_adjustments_merchant_kind_idx ON recurring_adjustments (merchant_id, kind)`,
    );
    await q.query(`
      CREATE TABLE plans (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        billing_frequency text NOT NULL CHECK (billing_frequency IN ('monthly', 'twice_monthly', 'daily')),
        billing_cycle_interval int NOT NULL CHECK (billing_cycle_interval >= 1),
        billing_days text NOT NULL,
        charge_on_day boolean NOT NULL,
        duration int NOT NULL CHECK (duration >= 0),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX plans_merchant_id_idx ON plans (merchant_id)`);
    await q.query(`
      CREATE TABLE plan_adjustments (
        plan_id text NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('add_on', 'discount')),
        position int NOT NULL CHECK (position >= 0),
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        source_id text NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        amount bigint CHECK (amount >= 0),
        percentage int CHECK (percentage = 0 OR percentage BETWEEN 100 AND 100000),
        duration int NOT NULL CHECK (duration >= 0),
        PRIMARY KEY (plan_id, kind, position),
        UNIQUE (plan_id, kind, source_id),
        CHECK ((amount IS NULL) <> (percentage IS NULL))
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plan_adjustments`);
    await q.query(`DROP TABLE plans`);
    await q.query(`DROP TABLE recurring_adjustments`);
  }
}
