import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A card-present terminal (spec: Terminals). Rebill simulates every terminal in the
 * sandbox (docs/terminals.md); `auth_key` is a device secret, kept sealed and shown masked.
 */
@Entity('terminals')
export class Terminal {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  /** The processor its sales run on; null: the merchant's default processor at the time. */
  @Column({ type: 'text', name: 'processor_id', nullable: true })
  processorId!: string | null;

  @Column({ type: 'text' })
  manufacturer!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'text', name: 'serial_number' })
  serialNumber!: string;

  @Column({ type: 'text' })
  tpn!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  status!: 'active' | 'disabled';

  @Column({ type: 'text', name: 'auth_key_sealed', nullable: true })
  authKeySealed!: string | null;

  @Column({ type: 'text', name: 'auth_key_masked' })
  authKeyMasked!: string;

  @Column({ type: 'text', name: 'register_id' })
  registerId!: string;

  @Column({ type: 'boolean', name: 'auto_settle' })
  autoSettle!: boolean;

  /** "HH:MM:SS", in the merchant's time zone. */
  @Column({ type: 'text', name: 'settle_at' })
  settleAt!: string;

  /** The batch its transactions join until the next settlement (the spec's BatchNum). */
  @Column({ type: 'int', name: 'open_batch_number' })
  openBatchNumber!: number;

  @Column({ type: 'timestamptz', name: 'last_settled_at', nullable: true })
  lastSettledAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

export function terminalView(t: Terminal) {
  return {
    id: t.id,
    merchant_id: t.merchantId,
    manufacturer: t.manufacturer,
    model: t.model,
    serial_number: t.serialNumber,
    tpn: t.tpn,
    description: t.description,
    status: t.status,
    auth_key: t.authKeyMasked,
    register_id: t.registerId,
    auto_settle: t.autoSettle,
    settle_at: t.settleAt,
    processor_id: t.processorId ?? '',
    batch_number: t.openBatchNumber,
    last_settled_at: t.lastSettledAt?.toISOString() ?? null,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}
