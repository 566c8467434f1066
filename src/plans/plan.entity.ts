import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { BillingFrequency } from '../billing-calc/calendar';
import { bigintCents } from '../platform/database/bigint.transformer';
import type { AdjustmentKind } from './recurring-input';

/** A recurring plan: the amount and schedule that subscriptions naming it inherit. */
@Entity('plans')
@Index(['merchantId'])
export class Plan {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  @Column({ type: 'text', name: 'billing_frequency' })
  billingFrequency!: BillingFrequency;

  @Column({ type: 'int', name: 'billing_cycle_interval' })
  billingCycleInterval!: number;

  /** As the API writes it: "1", "1,15", "15,0"; "" for daily. */
  @Column({ type: 'text', name: 'billing_days' })
  billingDays!: string;

  @Column({ type: 'boolean', name: 'charge_on_day' })
  chargeOnDay!: boolean;

  @Column({ type: 'int' })
  duration!: number;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}

/**
 * An add-on or discount attached to a plan: a copy of the catalog item (`sourceId`) with the
 * plan's overrides applied.
 */
@Entity('plan_adjustments')
export class PlanAdjustment {
  @PrimaryColumn({ type: 'text', name: 'plan_id' })
  planId!: string;

  @PrimaryColumn({ type: 'text' })
  kind!: AdjustmentKind;

  /** Order within the plan's add_ons[] or discounts[]. */
  @PrimaryColumn({ type: 'int' })
  position!: number;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  /** The catalog add-on's or discount's id; the API shows it as the entry's `id`. */
  @Column({ type: 'text', name: 'source_id' })
  sourceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'bigint', nullable: true, transformer: bigintCents })
  amount!: number | null;

  @Column({ type: 'int', nullable: true })
  percentage!: number | null;

  @Column({ type: 'int' })
  duration!: number;
}
