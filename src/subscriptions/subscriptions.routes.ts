/** The routes of subscriptions (spec: Recurring, Subscriptions, and Rebill's additions). */
import {
  Bool,
  Cents,
  DateTime,
  Enum,
  Id,
  IdParams,
  IdRef,
  Input,
  Int,
  LocalDate,
  Nullable,
  Opt,
  Output,
  PagingQuery,
  route,
  Str,
  Success,
  SuccessList,
  Thousandths,
  Type,
} from '../platform/http/route-schema';
import {
  AdjustmentRefs,
  Duration,
  MAX_DESCRIPTION_LENGTH,
  RecurringCents,
  scheduleFields,
} from '../plans/recurring.schemas';
import { MAX_TRIAL_DAYS } from '../billing-calc/calendar';
import { SUBSCRIPTION_STATUSES } from './subscription-status';

const CustomerRef = Input({
  id: Opt(IdRef({ description: 'a customer in the vault' })),
  payment_method_type: Opt(Str(10, { description: '"card" or "ach"' })),
  payment_method_id: Opt(IdRef()),
  billing_address_id: Opt(IdRef()),
  shipping_address_id: Opt(IdRef()),
});

const subscriptionFields = () => ({
  plan_id: Opt(IdRef({ description: 'the plan whose terms the subscription starts from' })),
  description: Opt(Str(MAX_DESCRIPTION_LENGTH)),
  customer: Opt(CustomerRef),
  amount: Opt(RecurringCents()),
  currency: Opt(Str(3, { example: 'USD' })),
  processor_id: Opt(IdRef()),
  timezone: Opt(Str(100, { example: 'America/Chicago' })),
  ...scheduleFields(),
  charge_on_day: Opt(Bool()),
  duration: Opt(Duration()),
  next_bill_date: Opt(Str(10, { description: 'YYYY-MM-DD in the subscription time zone' })),
  quantity: Opt(
    Int(1, 1000000, { description: 'units of the base amount each billing charges (default 1)' }),
  ),
  add_ons: AdjustmentRefs(),
  discounts: AdjustmentRefs(),
});

/** At creation only: the free trial (docs/subscriptions.md, "Trials"). */
const trialFields = () => ({
  trial_days: Opt(
    Int(0, MAX_TRIAL_DAYS, {
      description: "days of free trial (default: the plan's trial_days); 0 = none",
    }),
  ),
  trial_end: Opt(
    Str(10, {
      description:
        'YYYY-MM-DD, merchant-local: the first paid day (wins over trial_days); the first billing is on it',
    }),
  ),
  trial_requires_payment_method: Opt(
    Bool({
      description:
        "whether the trial needs a payment method now (default: the plan's setting, else true)",
    }),
  ),
});

const SubscriptionAdjustmentView = Output({
  id: Id(),
  name: Type.String(),
  description: Type.String(),
  amount: Nullable(Cents()),
  percentage: Nullable(Thousandths()),
  duration: Type.Integer({ minimum: 0 }),
  attached_at_billing: Type.Integer({ minimum: 0 }),
});

const SubscriptionEventView = Output({
  id: Type.String(),
  type: Type.String(),
  from_status: Nullable(Type.String()),
  to_status: Nullable(Type.String()),
  actor: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  created_at: DateTime(),
});

export const SubscriptionView = Output(
  {
    id: Id(),
    plan_id: Type.String({ description: '"" when not made from a plan' }),
    plan_name: Type.String(),
    status: Enum(SUBSCRIPTION_STATUSES),
    description: Type.String(),
    customer_name: Type.String(),
    shared: Type.Boolean(),
    customer: Output({
      id: Type.String(),
      payment_method_type: Type.String(),
      payment_method_id: Type.String(),
      billing_address_id: Type.String(),
      shipping_address_id: Type.String(),
    }),
    amount: Cents(),
    currency: Type.String({ example: 'USD' }),
    processor_id: Type.String(),
    total_adds: Cents(),
    total_discounts: Cents(),
    billing_cycle_interval: Type.Integer({ minimum: 1 }),
    billing_frequency: Type.String(),
    billing_days: Type.String(),
    duration: Type.Integer({ minimum: 0 }),
    next_bill_date: Nullable(LocalDate()),
    billing_count: Type.Integer({ minimum: 0 }),
    quantity: Type.Integer({ minimum: 1 }),
    trial_start: Nullable(LocalDate({ description: 'the first day of the free trial' })),
    trial_end: Nullable(
      LocalDate({ description: 'the first paid day: the trial covers [trial_start, trial_end)' }),
    ),
    timezone: Nullable(Type.String({ description: "null: the merchant's time zone" })),
    add_ons: Nullable(Type.Array(SubscriptionAdjustmentView)),
    discounts: Nullable(Type.Array(SubscriptionAdjustmentView)),
    expiration_date: Type.String(),
    events: Nullable(Type.Array(SubscriptionEventView)),
    created_at: DateTime(),
    updated_at: DateTime(),
    charge_on_day: Type.Boolean(),
  },
  { title: 'Subscription' },
);

const UpcomingBillingView = Output({
  billing_number: Type.Integer({ minimum: 1 }),
  bill_date: LocalDate(),
  currency: Type.String(),
  amount: Cents(),
  total_adds: Cents(),
  total_discounts: Cents(),
  total: Cents(),
  lines: Type.Array(
    Output({
      type: Type.String(),
      id: Nullable(Type.String()),
      name: Type.String(),
      amount: Cents(),
    }),
  ),
});

const statusList = SUBSCRIPTION_STATUSES.join(', ');
const StatusParams = Input({
  id: Type.String({ maxLength: 100 }),
  status: Enum(SUBSCRIPTION_STATUSES, {
    'x-errors': { enum: `invalid {field}: must be one of ${statusList}` },
  }),
});
const NextBillDateQuery = Input({
  next_bill_date: Opt(
    Str(10, { description: 'YYYY-MM-DD: when an activated subscription bills next' }),
  ),
});

const setStatus = route({
  summary: 'Change the status of a subscription',
  description: `One of ${statusList}; \`active\` takes ?next_bill_date=YYYY-MM-DD.`,
  params: StatusParams,
  query: NextBillDateQuery,
  responses: { 200: Success(SubscriptionView) },
  errors: [404, 409],
});

export const SUBSCRIPTION_ROUTES = {
  create: route({
    summary: 'Create a subscription',
    body: Input({ ...subscriptionFields(), ...trialFields() }),
    responses: { 200: Success(SubscriptionView) },
    // 422: the payment method was declined when verified at signup (docs/cit-mit.md).
    errors: [409, 422],
    idempotent: true,
    examples: {
      body: {
        plan_id: '<plan id>',
        description: 'some description',
        customer: { id: '<customer id>' },
        amount: 100,
        billing_cycle_interval: 1,
        billing_frequency: 'monthly',
        billing_days: '1',
        duration: 0,
      },
    },
  }),
  list: route({
    summary: "The merchant's subscriptions, paged and filtered",
    query: Input({
      ...PagingQuery(100).properties,
      status: Type.Optional(Str(200, { description: `comma-separated: ${statusList}` })),
      customer_id: Type.Optional(Str(100)),
      plan_id: Type.Optional(Str(100)),
      next_bill_date_from: Type.Optional(Str(10, { description: 'YYYY-MM-DD' })),
      next_bill_date_to: Type.Optional(Str(10, { description: 'YYYY-MM-DD' })),
    }),
    responses: { 200: SuccessList(SubscriptionView) },
  }),
  get: route({
    summary: 'Get a subscription',
    params: IdParams,
    responses: { 200: Success(SubscriptionView) },
    errors: [404],
  }),
  update: route({
    summary: 'Update a subscription (only the fields given)',
    params: IdParams,
    body: Input(subscriptionFields()),
    responses: { 200: Success(SubscriptionView) },
    errors: [404, 409],
    idempotent: true,
  }),
  remove: route({
    summary: 'Delete a subscription',
    params: IdParams,
    responses: { 200: Success(Type.Null()) },
    errors: [404, 409],
  }),
  statusByGet: setStatus,
  statusByPost: route({
    ...setStatus,
    summary: 'Change the status of a subscription (POST)',
    body: NextBillDateQuery,
    idempotent: true,
  }),
  upcoming: route({
    summary: 'The next billings of a subscription: dates and amounts',
    params: IdParams,
    query: Input({ count: Type.Optional(Int(1, 120, { description: 'default 12' })) }),
    responses: { 200: SuccessList(UpcomingBillingView) },
    errors: [404],
  }),
};
