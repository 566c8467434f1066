import { MigrationInterface, QueryRunner } from 'typeorm';

/** The settlement batch that settled a ledger transaction (the gateway's batch id). */
export class LedgerSettlementIds1700000140001 implements MigrationInterface {
  name = 'LedgerSettlementIds1700000140001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_transactions ADD COLUMN settlement_id text`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_transactions DROP COLUMN settlement_id`);
  }
}
