import { MigrationInterface, QueryRunner } from 'typeorm';

export class Accounts1700000000000 implements MigrationInterface {
  name = 'Accounts1700000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merchants (
        id text PRIMARY KEY,
        name text NOT NULL,
        timezone text NOT NULL DEFAULT 'UTC',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE users (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        username text NOT NULL UNIQUE,
        name text NOT NULL,
        phone text NOT NULL DEFAULT '',
        email text NOT NULL DEFAULT '',
        timezone text NOT NULL DEFAULT 'UTC',
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'standard')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX users_merchant_id_idx ON users (merchant_id)`);
    await q.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('api', 'public')),
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        masked_key text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_merchant_id_idx ON api_keys (merchant_id)`);
    await q.query(`
      CREATE TABLE partner_keys (
        id text PRIMARY KEY,
        key_hash text NOT NULL UNIQUE,
        source text NOT NULL CHECK (source IN ('generated', 'environment')),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        merchant_id text NOT NULL,
        key text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_flight', 'completed')),
        response_status int,
        response_body jsonb,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE partner_keys`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE merchants`);
  }
}
