import { billingAmount, type ResolvedAdjustment } from './adjustments';
import { CatalogAdjustment } from './catalog-adjustment.entity';
import type { PlanDetails } from './plans.service';

/** Response shapes of the spec (Recurring: Add-Ons, Discounts, Plans). */
export function catalogAdjustmentView(item: CatalogAdjustment) {
  return {
    id: item.id,
    name: item.name,
    description: item.description,
    amount: item.amount,
    percentage: item.percentage,
    duration: item.duration,
    created_at: item.createdAt.toISOString(),
    updated_at: item.updatedAt.toISOString(),
  };
}

/** A plan's copy of an add-on or discount; it has no timestamps of its own (null, as in the spec). */
function planAdjustmentView(a: ResolvedAdjustment) {
  return {
    id: a.sourceId,
    name: a.name,
    description: a.description,
    amount: a.amount,
    percentage: a.percentage,
    duration: a.duration,
    created_at: null,
    updated_at: null,
  };
}

/** Empty lists are null, as the gateway API writes them. */
export function listOrNull<T>(items: T[]): T[] | null {
  return items.length === 0 ? null : items;
}

export function planView({ plan, addOns, discounts }: PlanDetails) {
  // total_add_ons and total_discounts: what applies to the plan's amount on a first billing.
  const attached = (a: ResolvedAdjustment) => ({ ...a, attachedAtBilling: 0 });
  const first = billingAmount(plan.amount, addOns.map(attached), discounts.map(attached), 1);
  return {
    id: plan.id,
    name: plan.name,
    description: plan.description,
    amount: plan.amount,
    billing_cycle_interval: plan.billingCycleInterval,
    billing_frequency: plan.billingFrequency,
    billing_days: plan.billingDays,
    charge_on_day: plan.chargeOnDay,
    total_add_ons: first.totalAddOns,
    total_discounts: first.totalDiscounts,
    duration: plan.duration,
    trial_days: plan.trialDays,
    trial_requires_payment_method: plan.trialRequiresPaymentMethod,
    add_ons: listOrNull(addOns.map(planAdjustmentView)),
    discounts: listOrNull(discounts.map(planAdjustmentView)),
    created_at: plan.createdAt.toISOString(),
    updated_at: plan.updatedAt.toISOString(),
  };
}
