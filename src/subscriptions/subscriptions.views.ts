import { billingAmount, type AttachedAdjustment } from '../plans/adjustments';
import { listOrNull } from '../plans/plans.views';
import { basePrice } from './subscription-price';
import type { SubscriptionEvent } from './subscription.entity';
import type { UpcomingBilling } from './subscription-schedule';
import type { SubscriptionDetails } from './subscriptions.service';

/** A subscription's add-on or discount: the spec's fields, plus when it was attached. */
function subscriptionAdjustmentView(a: AttachedAdjustment) {
  return {
    id: a.sourceId,
    name: a.name,
    description: a.description,
    amount: a.amount,
    percentage: a.percentage,
    duration: a.duration,
    attached_at_billing: a.attachedAtBilling,
  };
}

function eventView(e: SubscriptionEvent) {
  return {
    id: e.id,
    type: e.type,
    from_status: e.fromStatus,
    to_status: e.toStatus,
    actor: e.actor,
    detail: e.detail,
    created_at: e.createdAt.toISOString(),
  };
}

/**
 * The spec's subscription shape (see the status endpoints' samples). Unknown ids are "" as in
 * the samples; total_adds and total_discounts are what the next billing adds and subtracts.
 */
export function subscriptionView({
  subscription: s,
  planName,
  addOns,
  discounts,
  events,
}: SubscriptionDetails) {
  const next = billingAmount(basePrice(s), addOns, discounts, s.billingCount + 1);
  return {
    id: s.id,
    plan_id: s.planId ?? '',
    plan_name: planName,
    status: s.status,
    description: s.description,
    customer_name: '',
    shared: false,
    customer: {
      id: s.customerId,
      payment_method_type: s.paymentMethodType ?? '',
      payment_method_id: s.paymentMethodId ?? '',
      billing_address_id: s.billingAddressId ?? '',
      shipping_address_id: s.shippingAddressId ?? '',
    },
    amount: s.amount,
    currency: s.currency,
    processor_id: s.processorId ?? '',
    total_adds: next.totalAddOns,
    total_discounts: next.totalDiscounts,
    billing_cycle_interval: s.billingCycleInterval,
    billing_frequency: s.billingFrequency,
    billing_days: s.billingDays,
    duration: s.duration,
    next_bill_date: s.nextBillDate,
    billing_count: s.billingCount,
    quantity: s.quantity,
    trial_start: s.trialStart,
    trial_end: s.trialEnd,
    timezone: s.timezone,
    add_ons: listOrNull(addOns.map(subscriptionAdjustmentView)),
    discounts: listOrNull(discounts.map(subscriptionAdjustmentView)),
    expiration_date: '',
    events: listOrNull(events.map(eventView)),
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    charge_on_day: s.chargeOnDay,
  };
}

/** One line of /upcoming: the date, the billing's number, and the amounts that make its total. */
export function upcomingBillingView(b: UpcomingBilling, currency: string) {
  return {
    billing_number: b.billingNumber,
    bill_date: b.billDate,
    currency,
    amount: b.baseAmount,
    total_adds: b.totalAddOns,
    total_discounts: b.totalDiscounts,
    total: b.total,
    lines: b.lines.map((l) => ({ type: l.kind, id: l.id, name: l.name, amount: l.amount })),
  };
}
