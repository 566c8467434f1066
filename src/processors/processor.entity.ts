import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';

export type FeeProgram =
  'none' | 'surcharge' | 'cash_discount' | 'dual_pricing' | 'dual_pricing_v2';
export type GatewayKind = 'sandbox' | 'http';

/**
 * A merchant's processor: its tax and fee settings (read by the calculation core) and the
 * gateway it charges through. Rates are in thousandths of a percent (3000 = 3.000%).
 */
@Entity('processors')
export class Processor {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'boolean', name: 'is_default' })
  isDefault!: boolean;

  @Column({ type: 'int', name: 'default_tax_rate' })
  defaultTaxRate!: number;

  @Column({ type: 'boolean', name: 'add_tax_to_total' })
  addTaxToTotal!: boolean;

  @Column({ type: 'text', name: 'service_fee_type', nullable: true })
  serviceFeeType!: 'flat' | 'percentage' | null;

  /** Cents when flat, thousandths when a percentage. */
  @Column({ type: 'bigint', name: 'service_fee_value', nullable: true, transformer: bigintCents })
  serviceFeeValue!: number | null;

  @Column({ type: 'text', name: 'fee_program' })
  feeProgram!: FeeProgram;

  @Column({ type: 'int', name: 'fee_program_rate' })
  feeProgramRate!: number;

  @Column({ type: 'int', name: 'fee_program_cap', nullable: true })
  feeProgramCap!: number | null;

  @Column({ type: 'int', name: 'surcharge_fallback_rate', nullable: true })
  surchargeFallbackRate!: number | null;

  @Column({ type: 'text', name: 'surcharge_disclosure', nullable: true })
  surchargeDisclosure!: string | null;

  @Column({ type: 'text', name: 'gateway_kind' })
  gatewayKind!: GatewayKind;

  /** For `http` gateways: the base URL of a server speaking the gateway API. */
  @Column({ type: 'text', name: 'gateway_base_url', nullable: true })
  gatewayBaseUrl!: string | null;

  /** For `http` gateways: the API key, encrypted at rest (AES-256-GCM). */
  @Column({ type: 'text', name: 'gateway_api_key_encrypted', nullable: true })
  gatewayApiKeyEncrypted!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
