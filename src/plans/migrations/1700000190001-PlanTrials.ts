import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plan's free trial: `trial_days` (0 = none) given to every new subscription to the plan,
 * and whether a trial needs a payment method up front (docs/subscriptions.md, "Trials").
 */
export class PlanTrials1700000190001 implements MigrationInterface {
  name = 'PlanTrials1700000190001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE plans
        ADD COLUMN trial_days int NOT NULL DEFAULT 0 CHECK (trial_days BETWEEN 0 AND 730),
        ADD COLUMN trial_requires_payment_method boolean NOT NULL DEFAULT true`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE plans DROP COLUMN trial_requires_payment_method, DROP COLUMN trial_days`,
    );
  }
}
