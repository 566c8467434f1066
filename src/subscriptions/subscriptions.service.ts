import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Merchant } from '../accounts/merchant.entity';
import {
  applyChargeOnDay,
  compareLocalDate,
  firstBillDate,
  formatBillingDays,
  localDateInZone,
  nextBillDate,
  parseBillingSchedule,
  trialPeriod,
  type BillingSchedule,
  type LocalDate,
} from '../billing-calc/calendar';
import type { Actor } from '../plans/actors';
import {
  billingAmount,
  byKind,
  reattach,
  type AttachedAdjustment,
  type BillingAmount,
  type ResolvedAdjustment,
} from '../plans/adjustments';
import { CatalogService } from '../plans/catalog.service';
import { PlanPushRegistry } from '../plans/plan-push';
import { PlanDetails, PlansService } from '../plans/plans.service';
import { basePrice } from './subscription-price';
import {
  AdjustmentKind,
  optionalAdjustmentRefs,
  optionalDuration,
  optionalRecurringCents,
} from '../plans/adjustments';
import { MAX_DESCRIPTION_LENGTH } from '../plans/recurring.schemas';
import {
  asValidation,
  isGiven,
  optionalBoolean,
  optionalId,
  optionalLocalDate,
  optionalText,
} from '../platform/http/input';
import { EventLog } from '../events/event-log';
import { OutboxService } from '../notifications/outbox.service';
import { moneyFormat } from '../platform/money/currency';
import { Clock, CLOCK } from '../platform/clock/clock';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../platform/errors/errors';
import { GatewayFactory } from '../gateway/gateway.factory';
import { RecurringChargesService } from '../gateway/stored-credentials/recurring-charges.service';
import { ProcessorsService } from '../processors/processors.service';
import { newId } from '../platform/ids/ids';
import { Processor } from '../processors/processor.entity';
import {
  checkCustomerReference,
  CUSTOMER_DIRECTORY,
  CustomerDirectory,
} from './customer-directory';
import {
  Subscription,
  SubscriptionAdjustment,
  SubscriptionEvent,
  SubscriptionEventType,
  SubscriptionPendingItem,
} from './subscription.entity';
import { SubscriptionRead } from './subscription-read';
import {
  CustomerInput,
  optionalCurrency,
  optionalCustomer,
  optionalTimeZone,
  SubscriptionFilter,
} from './subscription-input';
import {
  rescheduledBillDate,
  resumeBillDate,
  storedSchedule,
  upcomingBillings,
  type UpcomingBilling,
} from './subscription-schedule';
import {
  isLive,
  LIVE_STATUSES,
  transitionRefusal,
  type SubscriptionStatus,
} from './subscription-status';
import { subscriptionWebhookEventType } from './subscription-webhook-events';
import { subscriptionView } from './subscriptions.views';

/** A subscription with everything its API view shows. */
export interface SubscriptionDetails {
  subscription: Subscription;
  planName: string;
  addOns: AttachedAdjustment[];
  discounts: AttachedAdjustment[];
  events: SubscriptionEvent[];
}

/** What the next billing of a subscription charges, for the billing run. */
export interface NextCharge extends BillingAmount {
  subscription: Subscription;
  billDate: LocalDate;
  currency: string;
}

export interface RecordedBilling {
  subscription: Subscription;
  /** The billing just recorded, 1-based. */
  billingNumber: number;
  /** True when this billing reached the duration and the subscription completed. */
  completed: boolean;
}

export const DEFAULT_CURRENCY = 'USD';

/** A signup to a plan (the payments API's subscription checkout). */
export interface PlanSignup {
  planId: string;
  customerId: string;
  paymentMethodId: string;
  paymentMethodType: 'card' | 'ach';
  processorId?: string;
  description?: string;
}

/** Request fields an update may change, as recorded in the `updated` event. */
const UPDATABLE_FIELDS = [
  'plan_id',
  'description',
  'customer',
  'amount',
  'currency',
  'processor_id',
  'timezone',
  'billing_cycle_interval',
  'billing_frequency',
  'billing_days',
  'charge_on_day',
  'duration',
  'next_bill_date',
  'add_ons',
  'discounts',
  'quantity',
];

/**
 * Subscriptions: the API's create, read, update, delete and status changes, and the
 * operations the billing run calls inside its own transaction (chargeForNextBilling,
 * recordBilling, changeStatus). Rules: docs/subscriptions.md.
 */
@Injectable()
export class SubscriptionsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    private readonly catalog: CatalogService,
    private readonly planPush: PlanPushRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    /** The customer vault; see customer-directory.ts. */
    @Inject(CUSTOMER_DIRECTORY) private readonly customers: CustomerDirectory,
    private readonly eventLog: EventLog,
    private readonly processors: ProcessorsService,
    private readonly gateways: GatewayFactory,
    private readonly recurring: RecurringChargesService,
    private readonly outbox: OutboxService,
  ) {
    this.read = new SubscriptionRead(dataSource);
  }

  /** The GET route's one-round-trip read (subscription-read.ts). */
  private readonly read: SubscriptionRead;

  onModuleInit(): void {
    this.planPush.register((em, plan, actor) => this.applyPlan(em, plan, actor));
  }

  // ---------------------------------------------------------------- API

  async create(
    merchantId: string,
    body: Record<string, unknown>,
    actor: Actor,
  ): Promise<SubscriptionDetails> {
    // The customer is present: a payment method with no series is verified first, outside
    // the subscription's transaction (the payments checkout's approved payment starts its own).
    const customer = optionalCustomer(body.customer);
    if (customer?.id === undefined) throw new ValidationError('customer.id', 'is required');
    const processorId = optionalId(body.processor_id, 'processor_id');
    await this.verifyAtSignup(merchantId, customer.id, customer, processorId);
    return this.dataSource.transaction((em) => this.createIn(em, merchantId, body, actor));
  }

  /**
   * The port for the payments API's subscription checkout: a subscription to a plan for a
   * vaulted customer and payment method, inside the caller's transaction (the one that
   * records the checkout's approved payment), so both commit or neither does.
   */
  async subscribeToPlan(em: EntityManager, merchantId: string, signup: PlanSignup, actor: Actor) {
    const details = await this.createIn(
      em,
      merchantId,
      {
        plan_id: signup.planId,
        customer: {
          id: signup.customerId,
          payment_method_type: signup.paymentMethodType,
          payment_method_id: signup.paymentMethodId,
        },
        ...(signup.description !== undefined ? { description: signup.description } : {}),
        ...(signup.processorId !== undefined ? { processor_id: signup.processorId } : {}),
      },
      actor,
    );
    return { id: details.subscription.id, nextBillDate: details.subscription.nextBillDate };
  }

  /** Whether the merchant has this plan (checked when a subscription checkout is created). */
  async planExists(merchantId: string, planId: string): Promise<boolean> {
    try {
      await this.plans.forSubscription(
        this.dataSource.manager,
        merchantId,
        planId,
        'subscription.plan_id',
      );
      return true;
    } catch (err) {
      if (err instanceof ValidationError || err instanceof NotFoundError) return false;
      throw err;
    }
  }

  private async createIn(
    em: EntityManager,
    merchantId: string,
    body: Record<string, unknown>,
    actor: Actor,
  ): Promise<SubscriptionDetails> {
    const planId = optionalId(body.plan_id, 'plan_id');
    const customer = optionalCustomer(body.customer);
    if (customer?.id === undefined) throw new ValidationError('customer.id', 'is required');
    const customerId = customer.id;
    const description = optionalText(body.description, 'description', MAX_DESCRIPTION_LENGTH);
    const amount = optionalRecurringCents(body.amount, 'amount');
    const chargeOnDay = optionalBoolean(body.charge_on_day, 'charge_on_day');
    const duration = optionalDuration(body.duration, 'duration');
    const requestedNextBillDate = optionalLocalDate(body.next_bill_date, 'next_bill_date');
    const addOnRefs = optionalAdjustmentRefs(body.add_ons, 'add_ons');
    const discountRefs = optionalAdjustmentRefs(body.discounts, 'discounts');
    const processorId = optionalId(body.processor_id, 'processor_id');
    const currency = optionalCurrency(body.currency) ?? DEFAULT_CURRENCY;
    const timezone = optionalTimeZone(body.timezone) ?? null;
    const quantity = (body.quantity as number | undefined) ?? 1;
    const trialEndGiven = optionalLocalDate(body.trial_end, 'trial_end');
    const trialRequiresMethod = optionalBoolean(
      body.trial_requires_payment_method,
      'trial_requires_payment_method',
    );

    {
      const plan = planId
        ? await this.plans.forSubscription(em, merchantId, planId, 'plan_id')
        : null;
      const baseAmount = amount ?? plan?.plan.amount;
      if (baseAmount === undefined) {
        throw new ValidationError('amount', 'is required when no plan_id is given');
      }
      const schedule = asValidation(() =>
        parseBillingSchedule({
          billing_frequency: body.billing_frequency ?? plan?.plan.billingFrequency,
          billing_cycle_interval: body.billing_cycle_interval ?? plan?.plan.billingCycleInterval,
          billing_days: body.billing_days ?? plan?.plan.billingDays,
        }),
      );
      await this.checkCustomer(em, merchantId, customerId, customer);
      if (processorId !== undefined) await this.checkProcessor(em, merchantId, processorId);
      const zone = timezone ?? (await this.merchantTimeZone(em, merchantId));
      const now = this.clock.now();
      const today = localDateInZone(now, zone);
      const charge = chargeOnDay ?? plan?.plan.chargeOnDay ?? false;
      // A free trial (docs/subscriptions.md, "Trials"): the first billing is on its end.
      const trial = asValidation(() =>
        trialPeriod({
          schedule,
          createdOn: today,
          trialDays: (body.trial_days as number | undefined) ?? plan?.plan.trialDays ?? 0,
          trialEnd: trialEndGiven ?? null,
        }),
      );
      if (trial !== null && requestedNextBillDate !== undefined) {
        throw new ValidationError(
          'next_bill_date',
          "cannot be given with a trial: the first billing is on the trial's end (trial_end)",
        );
      }
      if (
        trial !== null &&
        (trialRequiresMethod ?? plan?.plan.trialRequiresPaymentMethod ?? true) &&
        (await this.customers.findPaymentMethod(
          merchantId,
          customerId,
          customer.paymentMethodId ?? null,
          customer.paymentMethodType ?? null,
          em,
        )) === null
      ) {
        throw new ValidationError(
          'customer.payment_method_id',
          `a trial needs a payment method: customer ${customerId} has none in the vault (or allow trials without one: trial_requires_payment_method: false)`,
        );
      }
      const first = trial
        ? { schedule: trial.schedule, billDate: trial.end }
        : asValidation(() =>
            firstBillDate({
              schedule,
              createdOn: today,
              chargeOnDay: charge,
              nextBillDate: requestedNextBillDate,
            }),
          );
      const subscription = em.getRepository(Subscription).create({
        id: newId(),
        merchantId,
        planId: plan?.plan.id ?? null,
        description: description ?? plan?.plan.description ?? '',
        status: trial ? 'trialing' : 'active',
        customerId,
        paymentMethodType: customer.paymentMethodType ?? null,
        paymentMethodId: customer.paymentMethodId ?? null,
        billingAddressId: customer.billingAddressId ?? null,
        shippingAddressId: customer.shippingAddressId ?? null,
        processorId: processorId ?? null,
        amount: baseAmount,
        currency,
        billingFrequency: first.schedule.frequency,
        billingCycleInterval: first.schedule.interval,
        billingDays: formatBillingDays(first.schedule),
        chargeOnDay: charge,
        duration: duration ?? plan?.plan.duration ?? 0,
        nextBillDate: first.billDate,
        billingCount: 0,
        quantity,
        trialStart: trial ? today : null,
        trialEnd: trial ? trial.end : null,
        trialNoticeSentAt: null,
        timezone,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      });
      const attach = (list: readonly ResolvedAdjustment[]) => reattach(list, [], 0);
      const addOns = addOnRefs
        ? attach(await this.catalog.resolve(em, merchantId, 'add_on', addOnRefs, 'add_ons'))
        : attach(plan?.addOns ?? []);
      const discounts = discountRefs
        ? attach(await this.catalog.resolve(em, merchantId, 'discount', discountRefs, 'discounts'))
        : attach(plan?.discounts ?? []);
      await em.getRepository(Subscription).insert(subscription);
      await this.saveAdjustments(em, subscription, addOns, discounts);
      await this.recordEvent(em, subscription, 'created', actor, {
        detail: {
          plan_id: subscription.planId,
          next_bill_date: subscription.nextBillDate,
          ...(trial ? { trial_start: today, trial_end: trial.end, trial_days: trial.days } : {}),
        },
        to: subscription.status,
      });
      return this.details(em, subscription);
    }
  }

  async get(merchantId: string, id: string): Promise<SubscriptionDetails> {
    // One round trip (subscription-read.ts); the same rows as find + detailsOfMany.
    const read = await this.read.load(merchantId, id);
    if (!read) throw new NotFoundError('subscription', id);
    const [details] = await this.assemble(
      this.dataSource.manager,
      [read.subscription],
      attachedRows(read.adjustments),
      read.events,
    );
    return details;
  }

  async list(
    merchantId: string,
    filter: SubscriptionFilter,
  ): Promise<{ items: SubscriptionDetails[]; total: number }> {
    const qb = this.dataSource
      .getRepository(Subscription)
      .createQueryBuilder('s')
      .where('s.merchant_id = :merchantId', { merchantId })
      .andWhere('s.deleted_at IS NULL');
    if (filter.statuses) qb.andWhere('s.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.customerId) qb.andWhere('s.customer_id = :customerId', filter);
    if (filter.planId) qb.andWhere('s.plan_id = :planId', filter);
    if (filter.nextBillDateFrom) qb.andWhere('s.next_bill_date >= :nextBillDateFrom', filter);
    if (filter.nextBillDateTo) qb.andWhere('s.next_bill_date <= :nextBillDateTo', filter);
    const [subscriptions, total] = await qb
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    return { items: await this.detailsOfMany(this.dataSource.manager, subscriptions), total };
  }

  /**
   * Changes the fields given. Naming a different plan_id takes every field the request does
   * not set from that plan. A schedule change moves the next bill date to the first date of
   * the new schedule on or after the current one (rescheduledBillDate), unless next_bill_date
   * is given.
   */
  async update(
    merchantId: string,
    id: string,
    body: Record<string, unknown>,
    actor: Actor,
  ): Promise<SubscriptionDetails> {
    const planId = optionalId(body.plan_id, 'plan_id');
    const customer = optionalCustomer(body.customer);
    const description = optionalText(body.description, 'description', MAX_DESCRIPTION_LENGTH);
    const amount = optionalRecurringCents(body.amount, 'amount');
    const chargeOnDay = optionalBoolean(body.charge_on_day, 'charge_on_day');
    const duration = optionalDuration(body.duration, 'duration');
    const requestedNextBillDate = optionalLocalDate(body.next_bill_date, 'next_bill_date');
    const addOnRefs = optionalAdjustmentRefs(body.add_ons, 'add_ons');
    const discountRefs = optionalAdjustmentRefs(body.discounts, 'discounts');
    const processorId = optionalId(body.processor_id, 'processor_id');
    const currency = optionalCurrency(body.currency);
    const timezone = optionalTimeZone(body.timezone);

    return this.dataSource.transaction(async (em) => {
      const sub = await this.find(em, merchantId, id, { lock: true });
      if (!isLive(sub.status)) {
        throw new ConflictError(
          `the subscription is ${sub.status}, which is final: it cannot be changed`,
        );
      }
      const current = await this.adjustments(em, [sub.id]);
      const plan =
        planId !== undefined && planId !== sub.planId
          ? await this.plans.forSubscription(em, merchantId, planId, 'plan_id')
          : null;
      const fromPlan = plan?.plan;

      if (timezone !== undefined) sub.timezone = timezone;
      const today = await this.today(em, sub);

      const oldSchedule = storedSchedule(sub);
      let schedule = asValidation(() =>
        parseBillingSchedule({
          billing_frequency:
            body.billing_frequency ?? fromPlan?.billingFrequency ?? sub.billingFrequency,
          billing_cycle_interval:
            body.billing_cycle_interval ??
            fromPlan?.billingCycleInterval ??
            sub.billingCycleInterval,
          billing_days: body.billing_days ?? fromPlan?.billingDays ?? sub.billingDays,
        }),
      );
      // charge_on_day on an update moves a monthly billing day to today's day of the month.
      if (chargeOnDay === true) schedule = applyChargeOnDay(schedule, today);
      const scheduleChanged = !sameSchedule(schedule, oldSchedule);
      const previousNextBillDate = sub.nextBillDate;
      if (sub.status === 'trialing' && requestedNextBillDate !== undefined) {
        throw new ValidationError(
          'next_bill_date',
          `the subscription is trialing: its first billing is the trial's end (${sub.trialEnd}); end the trial early with POST …/end-trial`,
        );
      }
      if (requestedNextBillDate !== undefined) {
        requireNotPast(requestedNextBillDate, today, 'next_bill_date');
        sub.nextBillDate = requestedNextBillDate;
      } else if (scheduleChanged && sub.status !== 'trialing') {
        sub.nextBillDate = rescheduledBillDate(schedule, sub.nextBillDate, today);
      }
      sub.billingFrequency = schedule.frequency;
      sub.billingCycleInterval = schedule.interval;
      sub.billingDays = formatBillingDays(schedule);

      const newDuration = duration ?? fromPlan?.duration;
      if (newDuration !== undefined) {
        if (newDuration !== 0 && newDuration <= sub.billingCount) {
          throw new ValidationError(
            'duration',
            `must be 0 (until cancelled) or more than the ${sub.billingCount} billings already made`,
          );
        }
        sub.duration = newDuration;
      }
      if (plan) sub.planId = plan.plan.id;
      sub.amount = amount ?? fromPlan?.amount ?? sub.amount;
      sub.description = description ?? fromPlan?.description ?? sub.description;
      // A new plan's charge_on_day is not copied: it decides the first bill, which is past.
      if (chargeOnDay !== undefined) sub.chargeOnDay = chargeOnDay;
      if (currency !== undefined) sub.currency = currency;
      if (body.quantity !== undefined) sub.quantity = body.quantity as number;
      if (processorId !== undefined) {
        await this.checkProcessor(em, merchantId, processorId);
        sub.processorId = processorId;
      }
      if (customer) await this.applyCustomer(em, sub, customer);
      sub.updatedAt = this.clock.now();

      const replacement = async (
        kind: AdjustmentKind,
        refs: typeof addOnRefs,
        planList: PlanDetails['addOns'] | undefined,
        field: string,
      ) => {
        const resolved = refs
          ? await this.catalog.resolve(em, merchantId, kind, refs, field)
          : planList;
        return resolved ? reattach(resolved, byKind(current, kind), sub.billingCount) : null;
      };
      const addOns = await replacement('add_on', addOnRefs, plan?.addOns, 'add_ons');
      const discounts = await replacement('discount', discountRefs, plan?.discounts, 'discounts');

      await em.getRepository(Subscription).save(sub);
      if (addOns || discounts) {
        await em.getRepository(SubscriptionAdjustment).delete({ subscriptionId: sub.id });
        await this.saveAdjustments(
          em,
          sub,
          addOns ?? byKind(current, 'add_on'),
          discounts ?? byKind(current, 'discount'),
        );
      }
      const detail: Record<string, unknown> = {
        fields: UPDATABLE_FIELDS.filter((f) => isGiven(body[f])),
      };
      if (sub.nextBillDate !== previousNextBillDate) {
        detail.next_bill_date = { from: previousNextBillDate, to: sub.nextBillDate };
      }
      await this.recordEvent(em, sub, 'updated', actor, { detail });
      return this.details(em, sub);
    });
  }

  /** Deleting cancels a live subscription (so it never bills again), then hides it. */
  async remove(merchantId: string, id: string, actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const sub = await this.find(em, merchantId, id, { lock: true });
      if (isLive(sub.status)) {
        await this.changeStatus(em, sub.id, 'cancelled', actor, { reason: 'deleted' });
      }
      const now = this.clock.now();
      await em
        .getRepository(Subscription)
        .update({ id: sub.id }, { deletedAt: now, updatedAt: now });
      await this.recordEvent(em, sub, 'deleted', actor, {});
    });
  }

  /** The status endpoints: GET or POST /api/recurring/subscription/{id}/status/{status}. */
  async setStatus(
    merchantId: string,
    id: string,
    to: SubscriptionStatus,
    actor: Actor,
    requestedNextBillDate?: LocalDate,
  ): Promise<SubscriptionDetails> {
    if (requestedNextBillDate !== undefined && to !== 'active') {
      throw new ValidationError('next_bill_date', 'may only be given when activating');
    }
    return this.dataSource.transaction(async (em) => {
      const sub = await this.find(em, merchantId, id, { lock: true });
      if (sub.status === 'trialing' && to === 'paused') {
        throw new ConflictError(
          `a trial cannot be paused: cancel it, or end it early with POST /api/recurring/subscription/${sub.id}/end-trial`,
        );
      }
      if (sub.status === 'trialing' && to === 'active') {
        throw new ConflictError(
          `the subscription is trialing until ${sub.trialEnd}: it becomes active with its first paid billing; end the trial early with POST /api/recurring/subscription/${sub.id}/end-trial`,
        );
      }
      const changed = await this.changeStatus(
        em,
        sub.id,
        to,
        actor,
        {},
        {
          nextBillDate: requestedNextBillDate,
        },
      );
      return this.details(em, changed);
    });
  }

  /**
   * The next `count` billings with their dates and amounts. A paused or past-due subscription
   * shows what it would bill if activated today without a date; a cancelled or completed one
   * shows none.
   */
  async upcoming(
    merchantId: string,
    id: string,
    count: number,
  ): Promise<{ subscription: Subscription; billings: UpcomingBilling[] }> {
    const em = this.dataSource.manager;
    const sub = await this.find(em, merchantId, id);
    if (!isLive(sub.status)) return { subscription: sub, billings: [] };
    const schedule = storedSchedule(sub);
    const from =
      sub.status === 'active' || sub.status === 'trialing'
        ? sub.nextBillDate
        : resumeBillDate(schedule, sub.nextBillDate, await this.today(em, sub));
    const rows = await this.adjustments(em, [sub.id]);
    const billings = upcomingBillings(
      {
        schedule,
        from,
        billingCount: sub.billingCount,
        duration: sub.duration,
        amount: basePrice(sub),
        addOns: byKind(rows, 'add_on'),
        discounts: byKind(rows, 'discount'),
      },
      count,
    );
    return { subscription: sub, billings };
  }

  // ------------------------------------------------ for the billing run (inside its transaction)

  /** What the subscription's next billing charges, on its next bill date. */
  async chargeForNextBilling(em: EntityManager, subscriptionId: string): Promise<NextCharge> {
    const sub = await this.findById(em, subscriptionId);
    const rows = await this.adjustments(em, [sub.id]);
    return {
      subscription: sub,
      billDate: sub.nextBillDate,
      currency: sub.currency,
      ...billingAmount(
        basePrice(sub),
        byKind(rows, 'add_on'),
        byKind(rows, 'discount'),
        sub.billingCount + 1,
      ),
    };
  }

  /**
   * Records that the subscription was billed for `billedDate`, which must be its next bill
   * date (so the same billing cannot be recorded twice): billing_count + 1, next_bill_date
   * moves to the following date of the schedule, and when billing_count reaches a non-zero
   * duration the subscription completes (next_bill_date then stays on the last billed date).
   * Locks the row; refuses (409) unless the subscription is active or past due.
   */
  async recordBilling(
    em: EntityManager,
    subscriptionId: string,
    billedDate: LocalDate,
    actor: Actor = 'billing_run',
  ): Promise<RecordedBilling> {
    const sub = await this.findById(em, subscriptionId, { lock: true });
    if (sub.status !== 'active' && sub.status !== 'past_due') {
      throw new ConflictError(`subscription ${sub.id} is ${sub.status}; it cannot be billed`);
    }
    if (billedDate !== sub.nextBillDate) {
      throw new ConflictError(
        `subscription ${sub.id} is next billed on ${sub.nextBillDate}, not ${billedDate}`,
      );
    }
    sub.billingCount += 1;
    const completed = sub.duration > 0 && sub.billingCount >= sub.duration;
    if (!completed) sub.nextBillDate = nextBillDate(storedSchedule(sub), billedDate);
    sub.updatedAt = this.clock.now();
    await em.getRepository(Subscription).save(sub);
    await this.recordEvent(em, sub, 'billed', actor, {
      detail: {
        bill_date: billedDate,
        billing_number: sub.billingCount,
        next_bill_date: completed ? null : sub.nextBillDate,
      },
    });
    if (completed) {
      await this.transition(em, sub, 'completed', actor, {
        reason: `duration of ${sub.duration} billings reached`,
      });
    }
    return { subscription: sub, billingNumber: sub.billingCount, completed };
  }

  /**
   * Changes the status if the transition table allows it (else 409 with the reason) and
   * records who did it. Activating takes an optional next bill date (today or later); without
   * one, a next bill date that has passed moves to the first date of the schedule on or after
   * today (missed dates are not billed).
   */
  async changeStatus(
    em: EntityManager,
    subscriptionId: string,
    to: SubscriptionStatus,
    actor: Actor,
    detail: Record<string, unknown> = {},
    options: { nextBillDate?: LocalDate } = {},
  ): Promise<Subscription> {
    const sub = await this.findById(em, subscriptionId, { lock: true });
    return this.transition(em, sub, to, actor, detail, options.nextBillDate);
  }

  /**
   * A past-due subscription whose owed billing was paid on a retry becomes active again, with
   * its next bill date unchanged (the billing run already moved it on when it recorded the
   * billing, and owes any cycles in between). Any other status is left as it is: a payment does
   * not undo a pause or a cancellation. Returns the subscription either way.
   */
  async reactivateAfterPayment(
    em: EntityManager,
    subscriptionId: string,
    actor: Actor,
    detail: Record<string, unknown> = {},
  ): Promise<Subscription> {
    const sub = await this.findById(em, subscriptionId, { lock: true });
    if (sub.status !== 'past_due') return sub;
    return this.transition(em, sub, 'active', actor, detail, sub.nextBillDate, {
      allowPastDate: true,
    });
  }

  /** The calendar date it is now in the subscription's time zone (its own, else the merchant's). */
  /**
   * A price change from the plan-change flow of the billing domain (docs/proration.md): plan,
   * base amount, quantity and, when given, the add-on and discount lists; the calendar stays.
   * Locks the row; refuses (409) a cancelled or completed subscription. Records an `updated`
   * event.
   */
  async changePrice(
    em: EntityManager,
    merchantId: string,
    id: string,
    change: {
      planId: string | null;
      amount: number;
      quantity?: number;
      addOns?: readonly AttachedAdjustment[] | null;
      discounts?: readonly AttachedAdjustment[] | null;
      detail: Record<string, unknown>;
    },
    actor: Actor,
  ): Promise<SubscriptionDetails> {
    const sub = await this.find(em, merchantId, id, { lock: true });
    if (!isLive(sub.status)) {
      throw new ConflictError(
        `the subscription is ${sub.status}, which is final: it cannot be changed`,
      );
    }
    const detail: Record<string, unknown> = { ...change.detail };
    if (change.planId !== null && change.planId !== sub.planId) {
      detail.plan_id = { from: sub.planId, to: change.planId };
      sub.planId = change.planId;
    }
    if (change.amount !== sub.amount) {
      detail.amount = { from: sub.amount, to: change.amount };
      sub.amount = change.amount;
    }
    if (change.quantity !== undefined && change.quantity !== sub.quantity) {
      detail.quantity = { from: sub.quantity, to: change.quantity };
      sub.quantity = change.quantity;
    }
    sub.updatedAt = this.clock.now();
    await em.save(sub);
    if (change.addOns || change.discounts) {
      const current = await this.adjustments(em, [sub.id]);
      await em.getRepository(SubscriptionAdjustment).delete({ subscriptionId: sub.id });
      await this.saveAdjustments(
        em,
        sub,
        change.addOns ?? byKind(current, 'add_on'),
        change.discounts ?? byKind(current, 'discount'),
      );
      if (change.addOns) detail.add_ons = change.addOns.map((a) => a.sourceId);
      if (change.discounts) detail.discounts = change.discounts.map((a) => a.sourceId);
    }
    await this.recordEvent(em, sub, 'updated', actor, { detail });
    return this.details(em, sub);
  }

  /**
   * A change request's `add_ons` / `discounts` (catalog references, as on create), attached
   * as the update endpoint attaches them: a kept item keeps its attachment, a new one counts
   * its duration from the next billing. null for a list not given.
   */
  async resolveAdjustments(
    em: EntityManager,
    details: SubscriptionDetails,
    body: { add_ons?: unknown; discounts?: unknown },
  ): Promise<{ addOns: AttachedAdjustment[] | null; discounts: AttachedAdjustment[] | null }> {
    const sub = details.subscription;
    const resolve = async (kind: AdjustmentKind, value: unknown, field: string) => {
      const refs = optionalAdjustmentRefs(value, field);
      if (!refs) return null;
      const resolved = await this.catalog.resolve(em, sub.merchantId, kind, refs, field);
      return reattach(
        resolved,
        kind === 'add_on' ? details.addOns : details.discounts,
        sub.billingCount,
      );
    };
    return {
      addOns: await resolve('add_on', body.add_ons, 'add_ons'),
      discounts: await resolve('discount', body.discounts, 'discounts'),
    };
  }

  /**
   * Ends a trial today (POST …/end-trial): the trial's end and the first bill date become
   * today in the subscription's time zone, and a monthly calendar continues from today's day
   * of the month, as for a trial that ends on its own (calendar/trial.ts). The subscription
   * stays trialing until that billing's outcome (the caller bills it at once). Locks the row;
   * 409 unless it is trialing. Returns today's date.
   */
  async endTrialNow(
    em: EntityManager,
    merchantId: string,
    id: string,
    actor: Actor,
  ): Promise<LocalDate> {
    const sub = await this.find(em, merchantId, id, { lock: true });
    if (sub.status !== 'trialing' || sub.trialEnd === null) {
      throw new ConflictError(`the subscription is ${sub.status}: it has no trial to end`);
    }
    const today = await this.today(em, sub);
    const detail = {
      reason: 'trial ended early',
      trial_end: { from: sub.trialEnd, to: today },
      next_bill_date: { from: sub.nextBillDate, to: today },
    };
    const schedule = applyChargeOnDay(storedSchedule(sub), today);
    sub.billingDays = formatBillingDays(schedule);
    sub.trialEnd = today;
    sub.nextBillDate = today;
    sub.updatedAt = this.clock.now();
    await em.getRepository(Subscription).save(sub);
    await this.recordEvent(em, sub, 'updated', actor, { detail });
    return today;
  }

  /**
   * Prorated charges for the next cycle's invoice (proration "create_prorations"), in the
   * caller's transaction; a source already recorded (a retry) is not added twice.
   */
  async addPendingItems(
    em: EntityManager,
    items: readonly Omit<SubscriptionPendingItem, 'id' | 'cycleId' | 'createdAt'>[],
  ): Promise<void> {
    if (items.length === 0) return;
    const now = this.clock.now();
    await em
      .createQueryBuilder()
      .insert()
      .into(SubscriptionPendingItem)
      .values(items.map((i) => ({ ...i, id: newId(), cycleId: null, createdAt: now })))
      .orIgnore()
      .execute();
  }

  /** A subscription's prorated charges still waiting for a cycle (the upcoming invoice's). */
  async pendingItems(
    em: EntityManager,
    subscriptionId: string,
  ): Promise<SubscriptionPendingItem[]> {
    return em.getRepository(SubscriptionPendingItem).find({
      where: { subscriptionId, cycleId: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** The subscription with its add-ons and discounts, inside the caller's transaction. */
  async detailsIn(
    em: EntityManager,
    merchantId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<SubscriptionDetails> {
    return this.details(em, await this.find(em, merchantId, id, options));
  }

  async today(em: EntityManager, sub: Subscription): Promise<LocalDate> {
    const zone = sub.timezone ?? (await this.merchantTimeZone(em, sub.merchantId));
    return localDateInZone(this.clock.now(), zone);
  }

  // ---------------------------------------------------------------- internals

  private async transition(
    em: EntityManager,
    sub: Subscription,
    to: SubscriptionStatus,
    actor: Actor,
    detail: Record<string, unknown>,
    requestedNextBillDate?: LocalDate,
    options: { allowPastDate?: boolean } = {},
  ): Promise<Subscription> {
    const refusal = transitionRefusal(sub.status, to);
    if (refusal) throw new ConflictError(refusal);
    const from = sub.status;
    const eventDetail = { ...detail };
    if (to === 'active') {
      const today = await this.today(em, sub);
      let next: LocalDate;
      if (requestedNextBillDate !== undefined) {
        if (!options.allowPastDate) requireNotPast(requestedNextBillDate, today, 'next_bill_date');
        next = requestedNextBillDate;
      } else {
        next = resumeBillDate(storedSchedule(sub), sub.nextBillDate, today);
      }
      if (next !== sub.nextBillDate) {
        eventDetail.next_bill_date = { from: sub.nextBillDate, to: next };
        sub.nextBillDate = next;
      }
    }
    sub.status = to;
    sub.updatedAt = this.clock.now();
    await em.getRepository(Subscription).save(sub);
    await this.recordEvent(em, sub, 'status_changed', actor, { from, to, detail: eventDetail });
    return sub;
  }

  /** Pushes a plan's amount, add-ons and discounts to its live subscriptions. */
  private async applyPlan(em: EntityManager, details: PlanDetails, actor: Actor): Promise<number> {
    const { plan } = details;
    const subs = await em.getRepository(Subscription).find({
      where: {
        merchantId: plan.merchantId,
        planId: plan.id,
        status: In([...LIVE_STATUSES]),
        deletedAt: IsNull(),
      },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (subs.length === 0) return 0;
    const rows = await this.adjustments(
      em,
      subs.map((s) => s.id),
    );
    const now = this.clock.now();
    for (const sub of subs) {
      const current = rows.filter((r) => r.subscriptionId === sub.id);
      const previousAmount = sub.amount;
      sub.amount = plan.amount;
      sub.updatedAt = now;
      await em.getRepository(Subscription).save(sub);
      await em.getRepository(SubscriptionAdjustment).delete({ subscriptionId: sub.id });
      await this.saveAdjustments(
        em,
        sub,
        reattach(details.addOns, byKind(current, 'add_on'), sub.billingCount),
        reattach(details.discounts, byKind(current, 'discount'), sub.billingCount),
      );
      await this.recordEvent(em, sub, 'plan_applied', actor, {
        detail: { plan_id: plan.id, amount: { from: previousAmount, to: plan.amount } },
      });
    }
    return subs.length;
  }

  private async applyCustomer(
    em: EntityManager,
    sub: Subscription,
    customer: CustomerInput,
  ): Promise<void> {
    if (customer.id !== undefined && customer.id !== sub.customerId) {
      // Another customer: the previous customer's payment method and addresses no longer apply.
      sub.customerId = customer.id;
      sub.paymentMethodType = null;
      sub.paymentMethodId = null;
      sub.billingAddressId = null;
      sub.shippingAddressId = null;
    }
    if (customer.paymentMethodId !== undefined) {
      sub.paymentMethodType = customer.paymentMethodType ?? null;
      sub.paymentMethodId = customer.paymentMethodId;
    }
    if (customer.billingAddressId !== undefined) sub.billingAddressId = customer.billingAddressId;
    if (customer.shippingAddressId !== undefined)
      sub.shippingAddressId = customer.shippingAddressId;
    await this.checkCustomer(em, sub.merchantId, sub.customerId, {
      paymentMethodType: sub.paymentMethodType ?? undefined,
      paymentMethodId: sub.paymentMethodId ?? undefined,
      billingAddressId: sub.billingAddressId ?? undefined,
      shippingAddressId: sub.shippingAddressId ?? undefined,
    });
  }

  /** customer.id must be a vaulted customer of the merchant, a payment method one of its own. */
  private async checkCustomer(
    em: EntityManager,
    merchantId: string,
    customerId: string,
    paymentMethod: Pick<
      CustomerInput,
      'paymentMethodType' | 'paymentMethodId' | 'billingAddressId' | 'shippingAddressId'
    >,
  ): Promise<void> {
    await checkCustomerReference(this.customers, em, merchantId, customerId, paymentMethod);
  }

  /**
   * The customer-initiated start of the stored-credential series (docs/cit-mit.md): the
   * customer is present at signup, so a subscription created on a payment method with no
   * series yet on its processor gets a zero-amount, customer-initiated verification that
   * stores the payment method. Every charge the billing run makes is then merchant-initiated
   * and names this verification. A declined verification refuses the subscription with the
   * gateway's message (422). Runs before the subscription's transaction: no database
   * transaction is held open across the gateway call. References are checked first, so a
   * bad request never reaches the gateway.
   */
  private async verifyAtSignup(
    merchantId: string,
    customerId: string,
    customer: CustomerInput,
    processorId: string | undefined,
  ): Promise<void> {
    // A short transaction of its own (the reference check takes share locks); it ends before
    // the gateway is called.
    await this.dataSource.transaction(async (em) => {
      await this.checkCustomer(em, merchantId, customerId, customer);
      if (processorId !== undefined) await this.checkProcessor(em, merchantId, processorId);
    });
    const method = await this.customers.findPaymentMethod(
      merchantId,
      customerId,
      customer.paymentMethodId ?? null,
      customer.paymentMethodType ?? null,
    );
    if (method === null) return; // nothing to verify: the run will find no payment method either
    const processor = await this.processors.resolve(
      merchantId,
      processorId ?? null,
      undefined,
      'processor_id',
    );
    const series = await this.recurring.storedCredentialFor(
      merchantId,
      processor.id,
      customerId,
      method.id,
    );
    if (series.initial_transaction_id !== null) return;
    const gateway = this.gateways.forProcessor(processor);
    let outcome;
    try {
      ({ outcome } = await this.recurring.verify(gateway, {
        merchantId,
        customerId,
        paymentMethodId: method.id,
        paymentMethodType: customer.paymentMethodType,
        idempotencyKey: `signup-verify-${newId()}`,
        description: 'subscription signup: payment method verification',
      }));
    } catch (err) {
      // Two signups on the same payment method at once: the other one's verification may
      // have started the series first (the sandbox records it in its own transaction).
      const again = await this.recurring.storedCredentialFor(
        merchantId,
        processor.id,
        customerId,
        method.id,
      );
      if (again.initial_transaction_id !== null) return;
      throw err;
    }
    if (outcome.kind !== 'approved' && outcome.kind !== 'partially_approved') {
      throw new UnprocessableError(
        `customer.payment_method_id: the payment method was declined when verified for the subscription: ${outcome.message}`,
      );
    }
  }

  private async checkProcessor(em: EntityManager, merchantId: string, id: string): Promise<void> {
    const found = await em.getRepository(Processor).existsBy({ id, merchantId });
    if (!found) throw new ValidationError('processor_id', `processor ${id} does not exist`);
  }

  private async merchantTimeZone(em: EntityManager, merchantId: string): Promise<string> {
    const merchant = await em.getRepository(Merchant).findOneBy({ id: merchantId });
    if (!merchant) throw new NotFoundError('merchant', merchantId);
    return merchant.timezone;
  }

  private async find(
    em: EntityManager,
    merchantId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<Subscription> {
    const sub = await em.getRepository(Subscription).findOne({
      where: { id, merchantId, deletedAt: IsNull() },
      ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!sub) throw new NotFoundError('subscription', id);
    return sub;
  }

  private async findById(
    em: EntityManager,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<Subscription> {
    const sub = await em.getRepository(Subscription).findOne({
      where: { id, deletedAt: IsNull() },
      ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!sub) throw new NotFoundError('subscription', id);
    return sub;
  }

  private async adjustments(
    em: EntityManager,
    subscriptionIds: string[],
  ): Promise<AdjustmentRow[]> {
    if (subscriptionIds.length === 0) return [];
    const rows = await em.getRepository(SubscriptionAdjustment).find({
      where: { subscriptionId: In(subscriptionIds) },
      order: { position: 'ASC' },
    });
    return attachedRows(rows);
  }

  private async saveAdjustments(
    em: EntityManager,
    sub: Subscription,
    addOns: readonly AttachedAdjustment[],
    discounts: readonly AttachedAdjustment[],
  ): Promise<void> {
    const rows = (kind: AdjustmentKind, list: readonly AttachedAdjustment[]) =>
      list.map((a, position) => ({
        subscriptionId: sub.id,
        kind,
        position,
        merchantId: sub.merchantId,
        sourceId: a.sourceId,
        name: a.name,
        description: a.description,
        amount: a.amount,
        percentage: a.percentage,
        duration: a.duration,
        attachedAtBilling: a.attachedAtBilling,
      }));
    const all = [...rows('add_on', addOns), ...rows('discount', discounts)];
    if (all.length > 0) await em.getRepository(SubscriptionAdjustment).insert(all);
  }

  private async recordEvent(
    em: EntityManager,
    sub: Subscription,
    type: SubscriptionEventType,
    actor: Actor,
    event: { from?: SubscriptionStatus; to?: SubscriptionStatus; detail?: Record<string, unknown> },
  ): Promise<void> {
    const row = em.getRepository(SubscriptionEvent).create({
      id: newId(),
      merchantId: sub.merchantId,
      subscriptionId: sub.id,
      type,
      fromStatus: event.from ?? null,
      toStatus: event.to ?? null,
      actor,
      detail: event.detail ?? {},
      createdAt: this.clock.now(),
    });
    await em.getRepository(SubscriptionEvent).insert(row);
    // The webhook event carries the subscription as GET shows it now, read again because
    // callers may hold a copy from before an earlier change in this transaction.
    const current = await em.getRepository(Subscription).findOneByOrFail({ id: sub.id });
    await this.eventLog.record(em, [
      {
        merchantId: sub.merchantId,
        type: subscriptionWebhookEventType(type, event.from, event.to),
        objectType: 'subscription',
        objectId: sub.id,
        data: subscriptionView(await this.details(em, current)),
      },
    ]);
  }

  /**
   * The webhook events of history entries recorded in bulk (the billing run's ledger), in a
   * constant number of statements: each carries the subscription as GET shows it now.
   */
  async publishEvents(em: EntityManager, recorded: readonly SubscriptionEvent[]): Promise<void> {
    if (recorded.length === 0) return;
    const subs = await em
      .getRepository(Subscription)
      .findBy({ id: In([...new Set(recorded.map((e) => e.subscriptionId))]) });
    const byMerchant = new Map<string, Subscription[]>();
    for (const s of subs)
      byMerchant.set(s.merchantId, [...(byMerchant.get(s.merchantId) ?? []), s]);
    const views = new Map<string, unknown>();
    for (const group of byMerchant.values()) {
      for (const d of await this.detailsOfMany(em, group)) {
        views.set(d.subscription.id, subscriptionView(d));
      }
    }
    await this.eventLog.record(
      em,
      recorded.map((e) => ({
        merchantId: e.merchantId,
        type: subscriptionWebhookEventType(
          e.type,
          e.fromStatus ?? undefined,
          e.toStatus ?? undefined,
        ),
        objectType: 'subscription',
        objectId: e.subscriptionId,
        data: views.get(e.subscriptionId),
      })),
    );
  }

  /**
   * Queues each trial's "your trial ends" email to the customer's billing email (a customer
   * without one is not emailed; the event still goes out), in the caller's transaction.
   */
  async enqueueTrialNotices(em: EntityManager, subs: readonly Subscription[]): Promise<void> {
    if (subs.length === 0) return;
    const addresses = await this.customers.defaultBillingAddresses(em, subs);
    const merchants = new Map(
      (
        await em
          .getRepository(Merchant)
          .findBy({ id: In([...new Set(subs.map((s) => s.merchantId))]) })
      ).map((m) => [m.id, m]),
    );
    const details = new Map<string, SubscriptionDetails>();
    for (const s of subs) {
      const group = subs.filter((o) => o.merchantId === s.merchantId && !details.has(o.id));
      for (const d of await this.detailsOfMany(em, group)) details.set(d.subscription.id, d);
    }
    const emails = subs.flatMap((s) => {
      const to = addresses.get(`${s.merchantId}|${s.customerId}`)?.email;
      const merchant = merchants.get(s.merchantId);
      const d = details.get(s.id);
      if (!to || !merchant || !d || s.trialEnd === null) return [];
      const first = billingAmount(basePrice(s), d.addOns, d.discounts, s.billingCount + 1);
      const what = d.planName || s.description || 'your subscription';
      const amount = moneyFormat(s.currency, merchant.locale).money(first.total);
      return [
        {
          merchantId: s.merchantId,
          kind: 'subscription.trial_will_end',
          subjectId: s.id,
          fromName: merchant.name,
          to,
          subject: `Your free trial of ${what} ends on ${s.trialEnd}`,
          text: [
            `Your free trial of ${what} with ${merchant.name} ends on ${s.trialEnd}.`,
            '',
            `On ${s.nextBillDate} your payment method on file will be charged ${amount} for the first billing, then on each billing date after it.`,
            '',
            `To change or cancel your subscription before then, contact ${merchant.name}.`,
          ].join('\n'),
        },
      ];
    });
    await this.outbox.enqueueMany(em, emails);
  }

  private async details(em: EntityManager, sub: Subscription): Promise<SubscriptionDetails> {
    return (await this.detailsOfMany(em, [sub]))[0];
  }

  private async detailsOfMany(
    em: EntityManager,
    subs: Subscription[],
  ): Promise<SubscriptionDetails[]> {
    if (subs.length === 0) return [];
    const ids = subs.map((s) => s.id);
    const rows = await this.adjustments(em, ids);
    const events = await em.getRepository(SubscriptionEvent).find({
      where: { subscriptionId: In(ids) },
      order: { seq: 'ASC' },
    });
    return this.assemble(em, subs, rows, events);
  }

  /** Subscriptions' details from their adjustments' and events' rows (and their plans' names). */
  private async assemble(
    em: EntityManager,
    subs: Subscription[],
    rows: AdjustmentRow[],
    events: SubscriptionEvent[],
  ): Promise<SubscriptionDetails[]> {
    const planIds = subs.map((s) => s.planId).filter((p): p is string => p !== null);
    const names = await this.plans.names(em, subs[0].merchantId, planIds);
    return subs.map((subscription) => {
      const own = rows.filter((r) => r.subscriptionId === subscription.id);
      return {
        subscription,
        planName: subscription.planId ? (names.get(subscription.planId) ?? '') : '',
        addOns: byKind(own, 'add_on'),
        discounts: byKind(own, 'discount'),
        events: events.filter((e) => e.subscriptionId === subscription.id),
      };
    });
  }
}

type AdjustmentRow = AttachedAdjustment & { kind: AdjustmentKind; subscriptionId: string };

function attachedRows(rows: readonly SubscriptionAdjustment[]): AdjustmentRow[] {
  return rows.map((r) => ({
    subscriptionId: r.subscriptionId,
    kind: r.kind,
    sourceId: r.sourceId,
    name: r.name,
    description: r.description,
    amount: r.amount,
    percentage: r.percentage,
    duration: r.duration,
    attachedAtBilling: r.attachedAtBilling,
  }));
}

function sameSchedule(a: BillingSchedule, b: BillingSchedule): boolean {
  return (
    a.frequency === b.frequency &&
    a.interval === b.interval &&
    formatBillingDays(a) === formatBillingDays(b)
  );
}

/** A date a request sets for a future billing: today or later in the subscription's zone. */
function requireNotPast(date: LocalDate, today: LocalDate, field: string): void {
  if (compareLocalDate(date, today) < 0) {
    throw new ValidationError(
      field,
      `${date} is in the past; it must be today (${today}) or later`,
    );
  }
}
