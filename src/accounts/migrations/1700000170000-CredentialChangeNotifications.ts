import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * NOTIFY rebill_credentials on every change of API keys, users and partner keys, so every
 * process's cache of authenticated keys (src/platform/database/change-notifications.ts) is
 * cleared whichever code path or process changed them. Statement-level: one notification per
 * statement, however many rows it touched.
 */
export class CredentialChangeNotifications1700000170000 implements MigrationInterface {
  name = 'CredentialChangeNotifications1700000170000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION rebill_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(TG_ARGV[0], TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of ['api_keys', 'users', 'partner_keys']) {
      await q.query(
        `CREATE TRIGGER ${table}_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION rebill_notify_change('rebill_credentials')`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['api_keys', 'users', 'partner_keys']) {
      await q.query(`DROP TRIGGER IF EXISTS ${table}_notify_change ON ${table}`);
    }
  }
}
