import { MigrationInterface, QueryRunner } from 'typeorm';

/** The sandbox's transactions, their idempotency claims, and stored-credential series. */
export class Transactions1700000003000 implements MigrationInterface {
  name = 'Transactions1700000003000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_transactions (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        processor_id text NOT NULL,
        user_id text,
        type text NOT NULL CHECK (type IN ('sale', 'authorize', 'verification', 'credit', 'refund')),
        status text NOT NULL CHECK (status IN
          ('unknown', 'declined', 'authorized', 'pending_settlement', 'settled', 'voided', 'refunded')),
        response_code int NOT NULL,
        response_text text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        base_amount bigint CHECK (base_amount >= 0),
        surcharge_amount bigint NOT NULL DEFAULT 0 CHECK (surcharge_amount >= 0),
        service_fee bigint NOT NULL DEFAULT 0 CHECK (service_fee >= 0),
        amount_authorized bigint NOT NULL DEFAULT 0 CHECK (amount_authorized >= 0),
        amount_captured bigint NOT NULL DEFAULT 0 CHECK (amount_captured >= 0),
        amount_settled bigint NOT NULL DEFAULT 0 CHECK (amount_settled >= 0),
        amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
        tax_amount bigint NOT NULL DEFAULT 0 CHECK (tax_amount >= 0),
        shipping_amount bigint NOT NULL DEFAULT 0 CHECK (shipping_amount >= 0),
        tax_exempt boolean NOT NULL DEFAULT false,
        currency text NOT NULL DEFAULT 'USD',
        description text NOT NULL DEFAULT '',
        order_id text NOT NULL DEFAULT '',
        po_number text NOT NULL DEFAULT '',
        ip_address text NOT NULL DEFAULT '',
        email_receipt boolean NOT NULL DEFAULT false,
        email_address text NOT NULL DEFAULT '',
        payment_method text NOT NULL CHECK (payment_method IN ('card', 'ach', 'customer', 'token')),
        payment_type text NOT NULL CHECK (payment_type IN ('card', 'ach')),
        customer_id text,
        customer_payment_method_id text,
        response_details jsonb NOT NULL,
        billing_address jsonb,
        shipping_address jsonb,
        card_on_file_indicator text CHECK (card_on_file_indicator IN ('C', 'R')),
        initiated_by text CHECK (initiated_by IN ('customer', 'merchant')),
        initial_transaction_id text,
        stored_credential_indicator text CHECK (stored_credential_indicator IN ('stored', 'used')),
        billing_method text NOT NULL DEFAULT 'straight'
          CHECK (billing_method IN ('straight', 'initial_recurring', 'recurring')),
        idempotency_key text,
        referenced_transaction_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        captured_at timestamptz,
        settled_at timestamptz,
        voided_at timestamptz,
        CHECK (amount_captured <= amount_authorized OR type IN ('credit', 'refund')),
        CHECK (amount_refunded <= amount_settled)
      )`);
    await q.query(
      `CREATE INDEX gateway_transactions_created_idx ON gateway_transactions (merchant_id, created_at DESC, id)`,
    );
    await q.query(
      `CREATE INDEX gateway_transactions_order_idx ON gateway_transactions (merchant_id, order_id)`,
    );
    await q.query(
      `CREATE INDEX gateway_transactions_idempotency_idx ON gateway_transactions (merchant_id, idempotency_key)`,
    );
    await q.query(
      `CREATE INDEX gateway_transactions_pending_idx ON gateway_transactions (created_at) WHERE status = 'pending_settlement'`,
    );
    // The body's idempotency_key: one claim per merchant and key, so two concurrent requests
    // with one key can never both charge. A claim answers duplicates for five minutes.
    await q.query(`
      CREATE TABLE gateway_idempotency_claims (
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        key text NOT NULL,
        request_hash text NOT NULL,
        transaction_id text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, key)
      )`);
    // The first customer-initiated transaction that stored a payment method for recurring
    // use, per processor: later merchant-initiated charges name it as initial_transaction_id.
    await q.query(`
      CREATE TABLE gateway_stored_credentials (
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        processor_id text NOT NULL,
        customer_id text NOT NULL,
        payment_method_id text NOT NULL,
        initial_transaction_id text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, processor_id, customer_id, payment_method_id)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway_stored_credentials`);
    await q.query(`DROP TABLE gateway_idempotency_claims`);
    await q.query(`DROP TABLE gateway_transactions`);
  }
}
