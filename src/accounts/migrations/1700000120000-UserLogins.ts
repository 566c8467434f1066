import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users that log in: a password hash (argon2id), soft deletion, a token version that
 * revokes every JWT issued before it, the spec's permissions / notifications / defaults,
 * and the counters that throttle failed logins.
 */
export class UserLogins1700000120000 implements MigrationInterface {
  name = 'UserLogins1700000120000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN password_hash text,
        ADD COLUMN token_version int NOT NULL DEFAULT 0,
        ADD COLUMN permissions jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN notifications jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN defaults jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN deleted_at timestamptz`);
    // A deleted user's username may be taken again; a live one is unique whatever its case.
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_username_key`);
    await q.query(
      `CREATE UNIQUE INDEX users_username_live_key ON users (lower(username)) WHERE deleted_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE login_throttle (
        scope text NOT NULL CHECK (scope IN ('username', 'address')),
        subject text NOT NULL,
        failures int NOT NULL,
        window_started_at timestamptz NOT NULL,
        PRIMARY KEY (scope, subject)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_throttle`);
    await q.query(`DROP INDEX users_username_live_key`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_username_key UNIQUE (username)`);
    await q.query(`
      ALTER TABLE users
        DROP COLUMN password_hash, DROP COLUMN token_version, DROP COLUMN permissions,
        DROP COLUMN notifications, DROP COLUMN defaults, DROP COLUMN deleted_at`);
  }
}
