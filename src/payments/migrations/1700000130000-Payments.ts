import { MigrationInterface, QueryRunner } from 'typeorm';

/** The payments API's objects (docs/payments-api.md). Money is bigint cents. */
export class Payments1700000130000 implements MigrationInterface {
  name = 'Payments1700000130000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_intents (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        business_id text,
        status text NOT NULL
          CHECK (status IN ('created', 'pending', 'uncaptured', 'captured', 'cancelled', 'failed')),
        amount bigint NOT NULL CHECK (amount >= 0),
        merchant_amount bigint CHECK (merchant_amount >= 0),
        currency text NOT NULL,
        capture boolean NOT NULL,
        amount_authorized bigint NOT NULL DEFAULT 0,
        amount_captured bigint NOT NULL DEFAULT 0,
        amount_refunded bigint NOT NULL DEFAULT 0,
        amount_voided bigint NOT NULL DEFAULT 0,
        payment_method_types text[] NOT NULL,
        reference_id text,
        description text,
        user_fields jsonb,
        order_details jsonb,
        payment_splits jsonb,
        client_secret_sealed text NOT NULL,
        client_secret_hash text NOT NULL UNIQUE,
        cancellation_reason text,
        external boolean NOT NULL DEFAULT false,
        latest_payment_id text,
        checkout_session_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        cancelled_at timestamptz,
        captured_at timestamptz,
        -- The amounts never contradict each other.
        CHECK (amount_captured + amount_voided <= amount_authorized OR external),
        CHECK (amount_refunded <= amount_captured)
      )`);
    await q.query(
      `CREATE INDEX payment_intents_merchant_created_idx ON payment_intents (merchant_id, created_at, id)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX payment_intents_checkout_session_idx ON payment_intents (checkout_session_id)
        WHERE checkout_session_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE payment_intent_payments (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        payment_intent_id text NOT NULL REFERENCES payment_intents(id) ON DELETE CASCADE,
        status text NOT NULL
          CHECK (status IN ('pending', 'uncaptured', 'captured', 'cancelled', 'voided', 'failed')),
        amount bigint NOT NULL CHECK (amount >= 0),
        amount_authorized bigint NOT NULL DEFAULT 0,
        amount_captured bigint NOT NULL DEFAULT 0,
        amount_refunded bigint NOT NULL DEFAULT 0,
        amount_voided bigint NOT NULL DEFAULT 0,
        processor_id text,
        transaction_id text,
        gateway_idempotency_key text,
        customer_id text,
        payment_method_id text,
        payment_method_type text CHECK (payment_method_type IN ('card', 'bank')),
        response_code int NOT NULL DEFAULT 0,
        avs text,
        cvv text,
        auth_code text,
        auth_response_text text,
        external boolean NOT NULL DEFAULT false,
        card_present boolean NOT NULL DEFAULT false,
        gateway_response jsonb,
        stored_credential jsonb,
        reference_id text,
        description text,
        user_fields jsonb,
        order_details jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (amount_refunded <= amount_captured)
      )`);
    await q.query(
      `CREATE INDEX payment_intent_payments_intent_idx
         ON payment_intent_payments (merchant_id, payment_intent_id, created_at, id)`,
    );
    // One money: a gateway transaction is the payment of at most one intent.
    await q.query(
      `CREATE UNIQUE INDEX payment_intent_payments_transaction_idx
         ON payment_intent_payments (merchant_id, transaction_id) WHERE transaction_id IS NOT NULL`,
    );
    // Paying twice charges once: an intent has at most one live payment.
    await q.query(
      `CREATE UNIQUE INDEX payment_intent_payments_live_idx ON payment_intent_payments (payment_intent_id)
        WHERE status IN ('pending', 'uncaptured', 'captured')`,
    );
    await q.query(`
      CREATE TABLE payment_refunds (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        payment_intent_id text NOT NULL REFERENCES payment_intents(id) ON DELETE CASCADE,
        payment_id text NOT NULL REFERENCES payment_intent_payments(id) ON DELETE CASCADE,
        amount bigint NOT NULL CHECK (amount > 0),
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        method text NOT NULL CHECK (method IN ('refund', 'void', 'external')),
        external boolean NOT NULL DEFAULT false,
        transaction_id text,
        gateway_response jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX payment_refunds_intent_idx ON payment_refunds (merchant_id, payment_intent_id)`,
    );
    await q.query(`
      CREATE TABLE checkout_sessions (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        business_id text,
        status text NOT NULL CHECK (status IN ('open', 'complete', 'expired')),
        public_token text NOT NULL UNIQUE,
        cancel_url text NOT NULL,
        success_url text NOT NULL,
        customer_email text NOT NULL,
        reference_id text,
        user_fields jsonb,
        payment_method_types text[] NOT NULL,
        payment_intent_data jsonb NOT NULL,
        subtotal bigint NOT NULL CHECK (subtotal >= 0),
        discount_amount bigint NOT NULL CHECK (discount_amount >= 0 AND discount_amount <= subtotal),
        payment_intent_id text UNIQUE,
        subscription jsonb,
        subscription_id text,
        customer_id text,
        expires_at timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX checkout_sessions_merchant_created_idx ON checkout_sessions (merchant_id, created_at, id)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE checkout_sessions`);
    await q.query(`DROP TABLE payment_refunds`);
    await q.query(`DROP TABLE payment_intent_payments`);
    await q.query(`DROP TABLE payment_intents`);
  }
}
