import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'active', 'paused', 'past_due', 'cancelled', 'completed'`;
const AFTER = `'trialing', ${BEFORE}`;

/**
 * Trials, quantities and pending invoice items (docs/proration.md, docs/subscriptions.md):
 * - `trialing`, the status of a subscription inside its free trial, with the trial's dates
 *   (merchant-local calendar dates) and when its "trial will end" notice went out;
 * - `quantity`: the base price is charged per unit;
 * - `subscription_pending_items`: prorated charges of a change that the next cycle's invoice
 *   carries. An item belongs to the first cycle that takes it (`cycle_id`, set once in the
 *   billing run's transaction that creates the cycle), so it is never billed twice.
 */
export class TrialsAndPendingItems1700000190000 implements MigrationInterface {
  name = 'TrialsAndPendingItems1700000190000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check`);
    await q.query(
      `ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check CHECK (status IN (${AFTER}))`,
    );
    for (const column of ['from_status', 'to_status']) {
      await q.query(
        `ALTER TABLE subscription_events DROP CONSTRAINT subscription_events_${column}_check`,
      );
      await q.query(
        `ALTER TABLE subscription_events ADD CONSTRAINT subscription_events_${column}_check CHECK (${column} IN (${AFTER}))`,
      );
    }
    await q.query(`
      ALTER TABLE subscriptions
        ADD COLUMN trial_start date,
        ADD COLUMN trial_end date,
        ADD COLUMN trial_notice_sent_at timestamptz,
        ADD COLUMN quantity int NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 1000000),
        ADD CONSTRAINT subscriptions_trial_dates_check
          CHECK ((trial_start IS NULL) = (trial_end IS NULL) AND (trial_end IS NULL OR trial_end >= trial_start)),
        ADD CONSTRAINT subscriptions_trialing_has_trial_check
          CHECK (status <> 'trialing' OR trial_end IS NOT NULL)`);
    // The trial notice sweep: trials still running, by end date.
    await q.query(
      `CREATE INDEX subscriptions_trial_notice_idx ON subscriptions (trial_end)
         WHERE status = 'trialing' AND trial_notice_sent_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE subscription_pending_items (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        subscription_id text NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        amount bigint NOT NULL CHECK (amount > 0),
        name text NOT NULL,
        description text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL CHECK (period_end > period_start),
        source_type text NOT NULL,
        source_id text NOT NULL,
        cycle_id text,
        created_at timestamptz NOT NULL,
        UNIQUE (subscription_id, source_type, source_id)
      )`);
    await q.query(
      `CREATE INDEX subscription_pending_items_open_idx ON subscription_pending_items (subscription_id)
         WHERE cycle_id IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_pending_items`);
    await q.query(`DROP INDEX subscriptions_trial_notice_idx`);
    await q.query(`
      ALTER TABLE subscriptions
        DROP CONSTRAINT subscriptions_trialing_has_trial_check,
        DROP CONSTRAINT subscriptions_trial_dates_check,
        DROP COLUMN quantity, DROP COLUMN trial_notice_sent_at, DROP COLUMN trial_end,
        DROP COLUMN trial_start`);
    await q.query(`UPDATE subscriptions SET status = 'active' WHERE status = 'trialing'`);
    await q.query(`ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check`);
    await q.query(
      `ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check CHECK (status IN (${BEFORE}))`,
    );
    for (const column of ['from_status', 'to_status']) {
      await q.query(
        `UPDATE subscription_events SET ${column} = 'active' WHERE ${column} = 'trialing'`,
      );
      await q.query(
        `ALTER TABLE subscription_events DROP CONSTRAINT subscription_events_${column}_check`,
      );
      await q.query(
        `ALTER TABLE subscription_events ADD CONSTRAINT subscription_events_${column}_check CHECK (${column} IN (${BEFORE}))`,
      );
    }
  }
}
