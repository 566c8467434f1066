import { MigrationInterface, QueryRunner } from 'typeorm';

/** How many days before a trial ends its "trial will end" notice goes out (default 3). */
export class TrialNotices1700000190002 implements MigrationInterface {
  name = 'TrialNotices1700000190002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE merchant_billing_settings
         ADD COLUMN trial_notice_days int NOT NULL DEFAULT 3 CHECK (trial_notice_days BETWEEN 0 AND 30)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merchant_billing_settings DROP COLUMN trial_notice_days`);
  }
}
