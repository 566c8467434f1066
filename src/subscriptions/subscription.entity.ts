import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { BillingFrequency, LocalDate } from '../billing-calc/calendar';
import { AttachedAdjustmentColumns } from '../plans/attached-adjustment.columns';
import { bigintCents } from '../platform/database/bigint.transformer';
import type { SubscriptionStatus } from './subscription-status';

/**
 * A customer's subscription. It holds its own copy of every billing field (copied from its plan
 * when it names one), so the billing run reads one row: who to charge, how much, on which day.
 */
@Entity('subscriptions')
@Index(['status', 'nextBillDate'])
@Index(['merchantId', 'createdAt'])
export class Subscription {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'plan_id', nullable: true })
  planId!: string | null;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  status!: SubscriptionStatus;

  /** A vaulted customer of the same merchant. */
  @Column({ type: 'text', name: 'customer_id' })
  customerId!: string;

  /** null: the customer's default payment method at billing time. */
  @Column({ type: 'text', name: 'payment_method_type', nullable: true })
  paymentMethodType!: 'card' | 'ach' | null;

  @Column({ type: 'text', name: 'payment_method_id', nullable: true })
  paymentMethodId!: string | null;

  @Column({ type: 'text', name: 'billing_address_id', nullable: true })
  billingAddressId!: string | null;

  @Column({ type: 'text', name: 'shipping_address_id', nullable: true })
  shippingAddressId!: string | null;

  /** null: the merchant's default processor. */
  @Column({ type: 'text', name: 'processor_id', nullable: true })
  processorId!: string | null;

  /** The base amount of each billing, before add-ons and discounts. */
  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text', name: 'billing_frequency' })
  billingFrequency!: BillingFrequency;

  @Column({ type: 'int', name: 'billing_cycle_interval' })
  billingCycleInterval!: number;

  /** "1", "1,15", "15,0"; "" for daily. With charge_on_day, the creation day for monthly. */
  @Column({ type: 'text', name: 'billing_days' })
  billingDays!: string;

  @Column({ type: 'boolean', name: 'charge_on_day' })
  chargeOnDay!: boolean;

  /** Number of billings after which it completes; 0 = until cancelled. */
  @Column({ type: 'int' })
  duration!: number;

  /** The next calendar date (in the subscription's time zone) to bill on. */
  @Column({ type: 'date', name: 'next_bill_date' })
  nextBillDate!: LocalDate;

  /** The base amount is charged per unit: billings charge amount × quantity (>= 1). */
  @Column({ type: 'int' })
  quantity!: number;

  /** The free trial [trialStart, trialEnd), merchant-local dates; null without a trial. */
  @Column({ type: 'date', name: 'trial_start', nullable: true })
  trialStart!: LocalDate | null;

  /** The first paid day: the trial's first bill date (the billing run charges on it). */
  @Column({ type: 'date', name: 'trial_end', nullable: true })
  trialEnd!: LocalDate | null;

  /** When the "trial will end" notice (event and email) went out; null until then. */
  @Column({ type: 'timestamptz', name: 'trial_notice_sent_at', nullable: true })
  trialNoticeSentAt!: Date | null;

  /** Billings done so far. */
  @Column({ type: 'int', name: 'billing_count' })
  billingCount!: number;

  /** IANA zone overriding the merchant's; null = the merchant's time zone. */
  @Column({ type: 'text', nullable: true })
  timezone!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  /** Deleted subscriptions are cancelled first, then hidden from the API. */
  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}

/** An add-on or discount on a subscription, with the billing count when it was attached. */
@Entity('subscription_adjustments')
export class SubscriptionAdjustment extends AttachedAdjustmentColumns {
  @PrimaryColumn({ type: 'text', name: 'subscription_id' })
  subscriptionId!: string;

  /** billing_count when attached: it applies to billings attached+1 .. attached+duration. */
  @Column({ type: 'int', name: 'attached_at_billing' })
  attachedAtBilling!: number;
}

/**
 * A prorated charge a change left for the next invoice (proration "create_prorations"): the
 * billing run adds it to the first cycle it creates after it, once (`cycleId`).
 */
@Entity('subscription_pending_items')
export class SubscriptionPendingItem {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'subscription_id' })
  subscriptionId!: string;

  /** Cents, > 0. */
  @Column({ type: 'bigint', transformer: bigintCents })
  amount!: number;

  @Column({ type: 'text' })
  name!: string;

  /** How the amount was worked out, line by line (docs/proration.md). */
  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'date', name: 'period_start' })
  periodStart!: LocalDate;

  @Column({ type: 'date', name: 'period_end' })
  periodEnd!: LocalDate;

  @Column({ type: 'text', name: 'source_type' })
  sourceType!: string;

  @Column({ type: 'text', name: 'source_id' })
  sourceId!: string;

  /** The billing cycle whose invoice carried it; null while pending. */
  @Column({ type: 'text', name: 'cycle_id', nullable: true })
  cycleId!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}

export type SubscriptionEventType =
  | 'created'
  | 'updated'
  | 'plan_applied'
  | 'status_changed'
  | 'billed'
  | 'deleted'
  | 'trial_will_end';

/** Something that happened to a subscription, who or what did it, and when. */
@Entity('subscription_events')
@Index(['subscriptionId', 'seq'])
export class SubscriptionEvent {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'subscription_id' })
  subscriptionId!: string;

  @Column({ type: 'text' })
  type!: SubscriptionEventType;

  @Column({ type: 'text', name: 'from_status', nullable: true })
  fromStatus!: SubscriptionStatus | null;

  @Column({ type: 'text', name: 'to_status', nullable: true })
  toStatus!: SubscriptionStatus | null;

  /** `api_key:<key id>`, `billing_run` or `system`. */
  @Column({ type: 'text' })
  actor!: string;

  /** JSON: what changed (dates, amounts, reason). `any` because TypeORM's insert types cannot take `unknown`. */
  @Column({ type: 'jsonb' })
  detail!: Record<string, any>;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  /** Insertion order: events of one transaction share created_at (the clock may stand still). */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;
}
