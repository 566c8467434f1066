import { MigrationInterface, QueryRunner } from 'typeorm';

export class Processors1700000001000 implements MigrationInterface {
  name = 'Processors1700000001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE processors (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        name text NOT NULL,
        is_default boolean NOT NULL DEFAULT false,
        default_tax_rate int NOT NULL DEFAULT 0 CHECK (default_tax_rate BETWEEN 0 AND 100000),
        add_tax_to_total boolean NOT NULL DEFAULT false,
        service_fee_type text CHECK (service_fee_type IN ('flat', 'percentage')),
        service_fee_value bigint CHECK (service_fee_value >= 0),
        fee_program text NOT NULL DEFAULT 'none'
          CHECK (fee_program IN ('none', 'surcharge', 'cash_discount', 'dual_pricing', 'dual_pricing_v2')),
        fee_program_rate int NOT NULL DEFAULT 0 CHECK (fee_program_rate BETWEEN 0 AND 100000),
        fee_program_cap int CHECK (fee_program_cap BETWEEN 0 AND 100000),
        surcharge_fallback_rate int CHECK (surcharge_fallback_rate BETWEEN 0 AND 100000),
        surcharge_disclosure text,
        gateway_kind text NOT NULL DEFAULT 'sandbox' CHECK (gateway_kind IN ('sandbox', 'http')),
        gateway_base_url text,
        gateway_api_key_encrypted text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX processors_merchant_id_idx ON processors (merchant_id)`);
    // At most one default processor per merchant.
    await q.query(
      `CREATE UNIQUE INDEX processors_one_default ON processors (merchant_id) WHERE is_default`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processors`);
  }
}
