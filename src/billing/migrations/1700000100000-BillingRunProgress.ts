import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run records its progress as it goes (summary and heartbeat after every batch), and a run
 * whose process died is marked `abandoned` with the counts its attempts show.
 */
export class BillingRunProgress1700000100000 implements MigrationInterface {
  name = 'BillingRunProgress1700000100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing_runs ADD COLUMN heartbeat_at timestamptz`);
    await q.query(`ALTER TABLE billing_runs DROP CONSTRAINT billing_runs_status_check`);
    await q.query(
      `ALTER TABLE billing_runs ADD CONSTRAINT billing_runs_status_check
         CHECK (status IN ('running', 'completed', 'failed', 'abandoned'))`,
    );
    await q.query(
      `CREATE INDEX charge_attempts_run_idx ON charge_attempts (run_id) WHERE run_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX billing_runs_running_idx ON billing_runs (status) WHERE status = 'running'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX billing_runs_running_idx`);
    await q.query(`DROP INDEX charge_attempts_run_idx`);
    await q.query(`UPDATE billing_runs SET status = 'failed' WHERE status = 'abandoned'`);
    await q.query(`ALTER TABLE billing_runs DROP CONSTRAINT billing_runs_status_check`);
    await q.query(
      `ALTER TABLE billing_runs ADD CONSTRAINT billing_runs_status_check
         CHECK (status IN ('running', 'completed', 'failed'))`,
    );
    await q.query(`ALTER TABLE billing_runs DROP COLUMN heartbeat_at`);
  }
}
