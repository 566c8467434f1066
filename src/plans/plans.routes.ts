/** The routes of plans (spec: Recurring, Plans). */
import {
  Cents,
  DateTime,
  Id,
  IdParams,
  Input,
  Nullable,
  Opt,
  Output,
  PagingQuery,
  route,
  Str,
  Success,
  SuccessList,
  Type,
  Bool,
  Int,
} from '../platform/http/route-schema';
import { MAX_TRIAL_DAYS } from '../billing-calc/calendar';
import {
  AdjustmentRefs,
  AttachedAdjustmentView,
  Duration,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  RecurringCents,
  scheduleFields,
} from './recurring.schemas';

const planFields = () => ({
  name: Opt(Str(MAX_NAME_LENGTH, { example: 'test plan' })),
  description: Opt(Str(MAX_DESCRIPTION_LENGTH)),
  amount: Opt(RecurringCents()),
  ...scheduleFields(),
  charge_on_day: Opt(Bool()),
  duration: Opt(Duration()),
  trial_days: Opt(
    Int(0, MAX_TRIAL_DAYS, {
      description: 'days of free trial every new subscription to the plan starts with; 0 = none',
    }),
  ),
  trial_requires_payment_method: Opt(
    Bool({ description: 'whether a trial needs a payment method at signup (default true)' }),
  ),
  add_ons: AdjustmentRefs(),
  discounts: AdjustmentRefs(),
});

export const PlanView = Output(
  {
    id: Id(),
    name: Type.String(),
    description: Type.String(),
    amount: Cents(),
    billing_cycle_interval: Type.Integer({ minimum: 1 }),
    billing_frequency: Type.String(),
    billing_days: Type.String(),
    charge_on_day: Type.Boolean(),
    total_add_ons: Cents(),
    total_discounts: Cents(),
    duration: Type.Integer({ minimum: 0 }),
    trial_days: Type.Integer({ minimum: 0 }),
    trial_requires_payment_method: Type.Boolean(),
    add_ons: Nullable(Type.Array(AttachedAdjustmentView)),
    discounts: Nullable(Type.Array(AttachedAdjustmentView)),
    created_at: DateTime(),
    updated_at: DateTime(),
  },
  { title: 'Plan' },
);

const SAMPLE_BODY = {
  name: 'test plan',
  description: 'just a simple test plan',
  amount: 100,
  billing_cycle_interval: 1,
  billing_frequency: 'monthly',
  billing_days: '1',
  duration: 0,
};

export const PLAN_ROUTES = {
  create: route({
    summary: 'Create a plan',
    body: Input(planFields()),
    responses: { 200: Success(PlanView) },
    idempotent: true,
    examples: { body: SAMPLE_BODY },
  }),
  get: route({
    summary: 'Get a plan',
    params: IdParams,
    responses: { 200: Success(PlanView) },
    errors: [404],
  }),
  list: route({
    summary: "The merchant's plans",
    query: PagingQuery(1000),
    responses: { 200: SuccessList(PlanView) },
  }),
  update: route({
    summary: 'Update a plan (only the fields given)',
    description:
      'With update_subscriptions: true, the changes are pushed to the subscriptions of the plan.',
    params: IdParams,
    body: Input({ ...planFields(), update_subscriptions: Opt(Bool()) }),
    responses: { 200: Success(PlanView) },
    errors: [404],
    idempotent: true,
  }),
  remove: route({
    summary: 'Delete a plan',
    params: IdParams,
    responses: { 200: Success(Type.Null()) },
    errors: [404],
  }),
};
