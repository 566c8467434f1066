import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * NOTIFY rebill_processors on every change of processors, so every process's processor cache
 * (src/platform/database/change-notifications.ts) is cleared whoever changed them.
 */
export class ProcessorChangeNotifications1700000170001 implements MigrationInterface {
  name = 'ProcessorChangeNotifications1700000170001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION rebill_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(TG_ARGV[0], TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER processors_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON processors
         FOR EACH STATEMENT EXECUTE FUNCTION rebill_notify_change('rebill_processors')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS processors_notify_change ON processors`);
  }
}
