import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { formatBillingDays, parseBillingSchedule } from '../billing-calc/calendar';
import { Clock, CLOCK } from '../platform/clock/clock';
import { NotFoundError, ValidationError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import type { Actor } from './actors';
import { byKind, type ResolvedAdjustment } from './adjustments';
import { CatalogService } from './catalog.service';
import { PlanPushRegistry } from './plan-push';
import { Plan, PlanAdjustment } from './plan.entity';
import {
  AdjustmentKind,
  optionalAdjustmentRefs,
  optionalDuration,
  optionalRecurringCents,
} from './adjustments';
import { asValidation, optionalBoolean, optionalText } from '../platform/http/input';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from './recurring.schemas';

/** A plan with its add-ons and discounts, in the order the plan lists them. */
export interface PlanDetails {
  plan: Plan;
  addOns: ResolvedAdjustment[];
  discounts: ResolvedAdjustment[];
}

@Injectable()
export class PlansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: CatalogService,
    private readonly push: PlanPushRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(merchantId: string, body: Record<string, unknown>): Promise<PlanDetails> {
    const name = optionalText(body.name, 'name', MAX_NAME_LENGTH);
    if (name === undefined || name.trim() === '') {
      throw new ValidationError('name', 'is required: the plan needs a display name');
    }
    const amount = optionalRecurringCents(body.amount, 'amount');
    if (amount === undefined)
      throw new ValidationError('amount', 'is required (cents, 100 = 1.00)');
    const schedule = asValidation(() => parseBillingSchedule(body));
    const addOnRefs = optionalAdjustmentRefs(body.add_ons, 'add_ons') ?? [];
    const discountRefs = optionalAdjustmentRefs(body.discounts, 'discounts') ?? [];
    const now = this.clock.now();
    const plan = this.dataSource.getRepository(Plan).create({
      id: newId(),
      merchantId,
      name,
      description: optionalText(body.description, 'description', MAX_DESCRIPTION_LENGTH) ?? '',
      amount,
      billingFrequency: schedule.frequency,
      billingCycleInterval: schedule.interval,
      billingDays: formatBillingDays(schedule),
      chargeOnDay: optionalBoolean(body.charge_on_day, 'charge_on_day') ?? false,
      duration: optionalDuration(body.duration, 'duration') ?? 0,
      trialDays: (body.trial_days as number | undefined) ?? 0,
      trialRequiresPaymentMethod:
        optionalBoolean(body.trial_requires_payment_method, 'trial_requires_payment_method') ??
        true,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    return this.dataSource.transaction(async (em) => {
      const addOns = await this.catalog.resolve(em, merchantId, 'add_on', addOnRefs, 'add_ons');
      const discounts = await this.catalog.resolve(
        em,
        merchantId,
        'discount',
        discountRefs,
        'discounts',
      );
      await em.getRepository(Plan).insert(plan);
      await this.saveAdjustments(em, plan, addOns, discounts);
      return { plan, addOns, discounts };
    });
  }

  async get(merchantId: string, id: string): Promise<PlanDetails> {
    return this.load(this.dataSource.manager, merchantId, id);
  }

  async list(
    merchantId: string,
    paging: { limit: number | null; offset: number },
  ): Promise<{ plans: PlanDetails[]; total: number }> {
    const [plans, total] = await this.dataSource.getRepository(Plan).findAndCount({
      where: { merchantId, deletedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: paging.offset,
      take: paging.limit ?? undefined,
    });
    const rows =
      plans.length === 0
        ? []
        : await this.dataSource.getRepository(PlanAdjustment).find({
            where: { planId: In(plans.map((p) => p.id)) },
            order: { position: 'ASC' },
          });
    return {
      plans: plans.map((plan) =>
        details(
          plan,
          rows.filter((r) => r.planId === plan.id),
        ),
      ),
      total,
    };
  }

  /**
   * Changes only the fields given; add_ons[] and discounts[], when given, replace the plan's
   * lists. With update_subscriptions: true the new amount, add-ons and discounts are pushed to
   * the plan's live subscriptions in the same transaction.
   */
  async update(
    merchantId: string,
    id: string,
    body: Record<string, unknown>,
    actor: Actor,
  ): Promise<PlanDetails> {
    const name = optionalText(body.name, 'name', MAX_NAME_LENGTH);
    if (name !== undefined && name.trim() === '') {
      throw new ValidationError('name', 'must not be empty');
    }
    const description = optionalText(body.description, 'description', MAX_DESCRIPTION_LENGTH);
    const amount = optionalRecurringCents(body.amount, 'amount');
    const chargeOnDay = optionalBoolean(body.charge_on_day, 'charge_on_day');
    const duration = optionalDuration(body.duration, 'duration');
    const addOnRefs = optionalAdjustmentRefs(body.add_ons, 'add_ons');
    const discountRefs = optionalAdjustmentRefs(body.discounts, 'discounts');
    const updateSubscriptions =
      optionalBoolean(body.update_subscriptions, 'update_subscriptions') ?? false;

    return this.dataSource.transaction(async (em) => {
      const current = await this.load(em, merchantId, id, true);
      const plan = current.plan;
      const schedule = asValidation(() =>
        parseBillingSchedule({
          billing_frequency: body.billing_frequency ?? plan.billingFrequency,
          billing_cycle_interval: body.billing_cycle_interval ?? plan.billingCycleInterval,
          billing_days: body.billing_days ?? plan.billingDays,
        }),
      );
      if (name !== undefined) plan.name = name;
      if (description !== undefined) plan.description = description;
      if (amount !== undefined) plan.amount = amount;
      if (chargeOnDay !== undefined) plan.chargeOnDay = chargeOnDay;
      if (duration !== undefined) plan.duration = duration;
      if (body.trial_days !== undefined) plan.trialDays = body.trial_days as number;
      if (body.trial_requires_payment_method !== undefined) {
        plan.trialRequiresPaymentMethod = body.trial_requires_payment_method as boolean;
      }
      plan.billingFrequency = schedule.frequency;
      plan.billingCycleInterval = schedule.interval;
      plan.billingDays = formatBillingDays(schedule);
      plan.updatedAt = this.clock.now();
      const addOns = addOnRefs
        ? await this.catalog.resolve(em, merchantId, 'add_on', addOnRefs, 'add_ons')
        : current.addOns;
      const discounts = discountRefs
        ? await this.catalog.resolve(em, merchantId, 'discount', discountRefs, 'discounts')
        : current.discounts;
      await em.getRepository(Plan).save(plan);
      if (addOnRefs || discountRefs) {
        await em.getRepository(PlanAdjustment).delete({ planId: plan.id });
        await this.saveAdjustments(em, plan, addOns, discounts);
      }
      const updated = { plan, addOns, discounts };
      if (updateSubscriptions) await this.push.push(em, updated, actor);
      return updated;
    });
  }

  /**
   * Hides the plan. Subscriptions made from it keep their copied fields and still show its
   * name; no new subscription can name it.
   */
  async remove(merchantId: string, id: string): Promise<void> {
    const { plan } = await this.get(merchantId, id);
    const now = this.clock.now();
    await this.dataSource
      .getRepository(Plan)
      .update({ id: plan.id, merchantId }, { deletedAt: now, updatedAt: now });
  }

  /** A live plan of the merchant named by a subscription request; 400 on `field` when none. */
  async forSubscription(
    em: EntityManager,
    merchantId: string,
    id: string,
    field: string,
  ): Promise<PlanDetails> {
    try {
      return await this.load(em, merchantId, id);
    } catch (err) {
      if (err instanceof NotFoundError)
        throw new ValidationError(field, `plan ${id} does not exist`);
      throw err;
    }
  }

  /** Plan names by id, deleted plans included (a subscription still shows its plan's name). */
  async names(em: EntityManager, merchantId: string, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const plans = await em
      .getRepository(Plan)
      .find({ select: { id: true, name: true }, where: { merchantId, id: In(unique) } });
    return new Map(plans.map((p) => [p.id, p.name]));
  }

  private async load(
    em: EntityManager,
    merchantId: string,
    id: string,
    forUpdate = false,
  ): Promise<PlanDetails> {
    const plan = await em.getRepository(Plan).findOne({
      where: { id, merchantId, deletedAt: IsNull() },
      ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!plan) throw new NotFoundError('plan', id);
    const rows = await em
      .getRepository(PlanAdjustment)
      .find({ where: { planId: plan.id }, order: { position: 'ASC' } });
    return details(plan, rows);
  }

  private async saveAdjustments(
    em: EntityManager,
    plan: Plan,
    addOns: ResolvedAdjustment[],
    discounts: ResolvedAdjustment[],
  ): Promise<void> {
    const rows = (kind: AdjustmentKind, list: ResolvedAdjustment[]) =>
      list.map((a, position) => ({
        planId: plan.id,
        kind,
        position,
        merchantId: plan.merchantId,
        sourceId: a.sourceId,
        name: a.name,
        description: a.description,
        amount: a.amount,
        percentage: a.percentage,
        duration: a.duration,
      }));
    const all = [...rows('add_on', addOns), ...rows('discount', discounts)];
    if (all.length > 0) await em.getRepository(PlanAdjustment).insert(all);
  }
}

function details(plan: Plan, rows: PlanAdjustment[]): PlanDetails {
  const resolved = (r: PlanAdjustment): ResolvedAdjustment => ({
    sourceId: r.sourceId,
    name: r.name,
    description: r.description,
    amount: r.amount,
    percentage: r.percentage,
    duration: r.duration,
  });
  return {
    plan,
    addOns: byKind(rows, 'add_on').map(resolved),
    discounts: byKind(rows, 'discount').map(resolved),
  };
}
