import { MigrationInterface, QueryRunner } from 'typeorm';

/** The sandbox's customer vault and its payment tokens (docs/security.md: numbers are sealed). */
export class Vault1700000002000 implements MigrationInterface {
  name = 'Vault1700000002000';

  public async up(q: QueryRunner): Promise<void> {
    // Customer ids may be chosen by the merchant, so they are unique per merchant only.
    await q.query(`
      CREATE TABLE vault_customers (
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        id text NOT NULL,
        description text NOT NULL DEFAULT '',
        notes text NOT NULL DEFAULT '',
        flags text[] NOT NULL DEFAULT '{}',
        default_billing_address_id text,
        default_shipping_address_id text,
        default_payment_method_id text,
        default_payment_method_type text CHECK (default_payment_method_type IN ('card', 'ach')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, id)
      )`);
    await q.query(
      `CREATE INDEX vault_customers_created_idx ON vault_customers (merchant_id, created_at)`,
    );
    await q.query(`
      CREATE TABLE vault_addresses (
        id text PRIMARY KEY,
        merchant_id text NOT NULL,
        customer_id text NOT NULL,
        first_name text NOT NULL DEFAULT '',
        last_name text NOT NULL DEFAULT '',
        company text NOT NULL DEFAULT '',
        line_1 text NOT NULL DEFAULT '',
        line_2 text NOT NULL DEFAULT '',
        city text NOT NULL DEFAULT '',
        state text NOT NULL DEFAULT '',
        postal_code text NOT NULL DEFAULT '',
        country text NOT NULL DEFAULT '',
        email text NOT NULL DEFAULT '',
        phone text NOT NULL DEFAULT '',
        fax text NOT NULL DEFAULT '',
        hash text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        FOREIGN KEY (merchant_id, customer_id)
          REFERENCES vault_customers (merchant_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX vault_addresses_customer_idx ON vault_addresses (merchant_id, customer_id)`,
    );
    // number_sealed holds the full card or account number, AES-256-GCM sealed; the other
    // columns hold only what may be shown (first six, last four, brand, expiration).
    await q.query(`
      CREATE TABLE vault_payment_methods (
        id text PRIMARY KEY,
        merchant_id text NOT NULL,
        customer_id text NOT NULL,
        type text NOT NULL CHECK (type IN ('card', 'ach')),
        number_sealed text NOT NULL CHECK (number_sealed LIKE 'enc:%'),
        masked_number text NOT NULL,
        card_type text,
        expiration_month int CHECK (expiration_month BETWEEN 1 AND 12),
        expiration_year int,
        routing_number text,
        account_type text CHECK (account_type IN ('checking', 'savings')),
        sec_code text CHECK (sec_code IN ('web', 'ccd', 'ppd', 'tel')),
        flags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        FOREIGN KEY (merchant_id, customer_id)
          REFERENCES vault_customers (merchant_id, id) ON DELETE CASCADE,
        CHECK (type <> 'card' OR (card_type IS NOT NULL AND expiration_month IS NOT NULL AND expiration_year IS NOT NULL)),
        CHECK (type <> 'ach' OR (routing_number IS NOT NULL AND account_type IS NOT NULL AND sec_code IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX vault_payment_methods_customer_idx ON vault_payment_methods (merchant_id, customer_id)`,
    );
    // Tokens stand for card or bank details collected by a tokenizer; only a hash of the
    // token is kept, and the details are sealed.
    await q.query(`
      CREATE TABLE payment_tokens (
        token_hash text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('card', 'ach')),
        details_sealed text NOT NULL CHECK (details_sealed LIKE 'enc:%'),
        masked_number text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX payment_tokens_expires_idx ON payment_tokens (expires_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_tokens`);
    await q.query(`DROP TABLE vault_payment_methods`);
    await q.query(`DROP TABLE vault_addresses`);
    await q.query(`DROP TABLE vault_customers`);
  }
}
