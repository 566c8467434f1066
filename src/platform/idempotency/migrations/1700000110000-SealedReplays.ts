import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored responses become the exact bytes first sent, sealed with the field cipher
 * (`response_sealed`), instead of a jsonb value (which reordered keys and kept secrets such
 * as a new API key in plaintext). Completed keys are a one-hour cache: they are dropped
 * rather than converted; keys still in flight are kept.
 */
export class SealedReplays1700000110000 implements MigrationInterface {
  name = 'SealedReplays1700000110000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM idempotency_keys WHERE state = 'completed'`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN response_body`);
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN response_sealed text`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM idempotency_keys WHERE state = 'completed'`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN response_sealed`);
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN response_body jsonb`);
  }
}
