/** The billing run, its records, a subscription's billings, and the merchant's billing settings. */
import {
  Bool,
  Cents,
  DateTime,
  Id,
  IdParams,
  Input,
  Int,
  LocalDate,
  Nullable,
  Opt,
  Output,
  route,
  Str,
  Success,
  SuccessList,
  Type,
} from '../platform/http/route-schema';

const Summary = Output({
  subscriptions: Type.Integer({ minimum: 0 }),
  charged: Type.Integer({ minimum: 0 }),
  declined: Type.Integer({ minimum: 0 }),
  retried: Type.Integer({ minimum: 0 }),
  completed: Type.Integer({ minimum: 0 }),
  unknown: Type.Integer({ minimum: 0 }),
  errors: Type.Integer({ minimum: 0 }),
  amount_charged: Cents(),
  amount_declined: Cents(),
  would_charge: Type.Optional(
    Type.Array(
      Output({
        subscription_id: Id(),
        bill_date: LocalDate(),
        amount: Cents(),
        attempt: Type.Integer({ minimum: 1 }),
      }),
      { description: 'dry runs only: what would be charged' },
    ),
  ),
});

export const BillingRunView = Output(
  {
    id: Id(),
    merchant_id: Nullable(Type.String()),
    as_of: LocalDate(),
    dry_run: Type.Boolean(),
    status: Type.String({ description: 'running, completed or failed' }),
    triggered_by: Type.String({ example: 'api_key:<key id>' }),
    summary: Summary,
    error: Nullable(Type.String()),
    started_at: DateTime(),
    finished_at: Nullable(DateTime()),
  },
  { title: 'BillingRun' },
);

const Line = Output({
  kind: Type.String({ description: 'base, add_on or discount' }),
  id: Nullable(Type.String()),
  name: Type.String(),
  amount: Cents(),
});

const Attempt = Output({
  attempt: Type.Integer({ minimum: 1 }),
  state: Type.String(),
  amount: Cents(),
  transaction_id: Nullable(Type.String()),
  response_code: Nullable(Type.Union([Type.Integer(), Type.String()])),
  message: Nullable(Type.String()),
  initiated_by: Nullable(Type.String()),
  created_at: DateTime(),
});

export const SubscriptionBillingView = Output(
  {
    bill_date: LocalDate(),
    billing_number: Type.Integer({ minimum: 1 }),
    amount: Cents(),
    currency: Type.String(),
    lines: Type.Array(Line),
    status: Type.String(),
    invoice_id: Nullable(Type.String()),
    next_retry_date: Nullable(LocalDate()),
    paid_transaction_id: Nullable(Type.String()),
    attempts: Type.Array(Attempt),
  },
  { title: 'SubscriptionBilling' },
);

export const BillingSettingsView = Output(
  {
    retry_days: Type.Array(Type.Integer({ minimum: 1 }), {
      description: 'days after the first decline on which to retry',
    }),
    final_action: Type.String({ description: 'what happens after the last retry' }),
    catch_up: Type.String({ description: 'how missed billing dates are billed' }),
    run_at: Type.String({
      description: 'local time of the nightly run, "HH:MM"',
      example: '02:00',
    }),
    dispute_action: Type.String({
      description:
        "what a dispute on a subscription's payment does: pause (default), cancel or none",
    }),
    trial_notice_days: Type.Integer({
      minimum: 0,
      maximum: 30,
      description:
        'days before a trial ends that subscription.trial_will_end and its email go out (default 3; 0 = none)',
    }),
  },
  { title: 'BillingSettings' },
);

const settingsBody = Input({
  retry_days: Opt(Type.Array(Type.Integer(), { maxItems: 30 })),
  final_action: Opt(Str(50)),
  catch_up: Opt(Str(50)),
  run_at: Opt(Str(5, { example: '02:00' })),
  dispute_action: Opt(Str(50)),
  trial_notice_days: Opt(Type.Integer()),
});
const putSettings = route({
  summary: "Change the merchant's billing settings (only the fields given)",
  body: settingsBody,
  responses: { 200: Success(BillingSettingsView) },
  idempotent: true,
});

export const BILLING_RUN_ROUTES = {
  run: route({
    summary: "Run the billing for the merchant's subscriptions due on or before a date",
    body: Input({
      date: LocalDate({
        'x-errors': {
          required: 'invalid {field}: is required: a calendar date "YYYY-MM-DD"',
          type: 'invalid {field}: is required: a calendar date "YYYY-MM-DD"',
          pattern: 'invalid {field}: is required: a calendar date "YYYY-MM-DD"',
        },
      }),
      dry_run: Opt(Bool()),
    }),
    responses: { 200: Success(BillingRunView) },
    errors: [409],
    idempotent: true,
    examples: { body: { date: '2027-01-01', dry_run: true } },
  }),
  runs: route({
    summary: "The merchant's billing runs, newest first",
    query: Input({
      limit: Type.Optional(Int(1, 100, { description: 'default 20' })),
      offset: Type.Optional(Int(0, 1_000_000)),
    }),
    responses: { 200: SuccessList(BillingRunView) },
  }),
  getRun: route({
    summary: 'Get a billing run',
    params: IdParams,
    responses: { 200: Success(BillingRunView) },
    errors: [404],
  }),
  billings: route({
    summary: 'Every billing of a subscription: its cycle, invoice, attempts and charges',
    params: IdParams,
    responses: { 200: SuccessList(SubscriptionBillingView) },
    errors: [404],
  }),
  getSettings: route({
    summary: "The merchant's billing settings (dunning, catch-up, run time)",
    responses: { 200: Success(BillingSettingsView) },
  }),
  putSettings,
  postSettings: { ...putSettings, summary: `${putSettings.summary} (POST)` },
};
