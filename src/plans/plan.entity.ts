import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { AttachedAdjustmentColumns } from './attached-adjustment.columns';
import type { BillingFrequency } from '../billing-calc/calendar';
import { bigintCents } from '../platform/database/bigint.transformer';

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

  /** Days of free trial every new subscription to the plan starts with; 0 = none. */
  @Column({ type: 'int', name: 'trial_days' })
  trialDays!: number;

  /** Whether a trial needs a payment method at signup (the merchant's choice per plan). */
  @Column({ type: 'boolean', name: 'trial_requires_payment_method' })
  trialRequiresPaymentMethod!: boolean;

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
export class PlanAdjustment extends AttachedAdjustmentColumns {
  @PrimaryColumn({ type: 'text', name: 'plan_id' })
  planId!: string;
}
