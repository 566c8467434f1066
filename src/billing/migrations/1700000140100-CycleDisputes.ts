import { MigrationInterface, QueryRunner } from 'typeorm';

/** A cycle whose payment was disputed, and the merchant's policy for disputes. */
export class CycleDisputes1700000140100 implements MigrationInterface {
  name = 'CycleDisputes1700000140100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE billing_cycles ADD COLUMN disputed_at timestamptz, ADD COLUMN dispute_id text`,
    );
    await q.query(
      `ALTER TABLE merchant_billing_settings ADD COLUMN dispute_action text NOT NULL DEFAULT 'pause'
         CHECK (dispute_action IN ('none', 'pause', 'cancel'))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merchant_billing_settings DROP COLUMN dispute_action`);
    await q.query(`ALTER TABLE billing_cycles DROP COLUMN disputed_at, DROP COLUMN dispute_id`);
  }
}
