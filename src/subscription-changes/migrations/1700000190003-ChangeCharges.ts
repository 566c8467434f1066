import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Upgrades charged at once (proration "always_invoice", docs/proration.md): one row per
 * change, written before the charge is sent and finished after its outcome, so a retry or a
 * crash in between can never charge twice. The idempotency key sent to the gateway is unique;
 * a subscription has at most one change being charged at a time.
 */
export class ChangeCharges1700000190003 implements MigrationInterface {
  name = 'ChangeCharges1700000190003';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscription_change_charges (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        subscription_id text NOT NULL,
        customer_id text NOT NULL,
        currency text NOT NULL,
        status text NOT NULL CHECK (status IN ('charging', 'paid', 'declined')),
        net bigint NOT NULL CHECK (net > 0),
        credit_applied bigint NOT NULL CHECK (credit_applied >= 0),
        amount bigint NOT NULL CHECK (amount > 0),
        idempotency_key text NOT NULL UNIQUE,
        processor_id text,
        payment_method_id text NOT NULL,
        payment_method_type text NOT NULL CHECK (payment_method_type IN ('card', 'ach')),
        target jsonb NOT NULL,
        invoice jsonb NOT NULL,
        transaction_id text,
        message text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX subscription_change_charges_one_in_flight
         ON subscription_change_charges (subscription_id) WHERE status = 'charging'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_change_charges`);
  }
}
