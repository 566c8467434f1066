/** The payments API's money views (docs/ledger.md): one declaration per route. */
import {
  Bool,
  DateTime,
  Enum,
  Id,
  Input,
  Int,
  LocalDate,
  Nullable,
  Opt,
  Output,
  route,
  SignedCents,
  Cents,
  Str,
  Success,
  Thousandths,
  Type,
} from '../platform/http/route-schema';
import type { RouteDeclaration } from '../platform/http/route-schema';
import { CursorQuery, V1Failure, V1List } from '../payments/payments.schemas';
import { SOURCE_TYPES } from './ledger.service';

const AccountId = () => Type.String({ description: "the merchant account's id" });

/** `starting_after`, `ending_before`, `limit`: the payments API's cursor. */
const CursorFields = CursorQuery.properties;

const V1_ERRORS = [403] as const;

export const LedgerTransactionView = Output(
  {
    id: Id(),
    entity: Type.Literal('transaction'),
    created_at: DateTime(),
    updated_at: DateTime(),
    account_id: AccountId(),
    ledger_account_id: Id(),
    payout_id: Nullable(Id()),
    bank_transfer_id: Nullable(Type.String()),
    source_type: Enum(SOURCE_TYPES),
    source_id: Type.String({
      description: 'the payment, refund, dispute or payout this movement comes from',
    }),
    source_account_id: AccountId(),
    amount: SignedCents({
      description: 'the change of the balance, in cents: + credited to the merchant, − taken',
    }),
    currency: Type.String({ example: 'USD' }),
    settlement_id: Nullable(Type.String()),
    settlement_status: Enum(['settled', 'unsettled'] as const),
    settled_at: Nullable(DateTime()),
    description: Type.String(),
  },
  { title: 'LedgerTransaction' },
);

const BalanceView = Output(
  {
    entity: Type.Literal('balance'),
    currency: Type.String({ example: 'USD' }),
    pending: SignedCents({ description: 'not settled yet' }),
    available: SignedCents({ description: 'settled, not paid out yet' }),
    ledger_accounts: Output({ pending: Nullable(Id()), available: Nullable(Id()) }),
  },
  { title: 'Balance' },
);

const SearchFilters = {
  source_type: Opt(Enum(SOURCE_TYPES)),
  settlement_status: Opt(Enum(['settled', 'unsettled'] as const)),
  start_date: Opt(Type.String({ description: 'ISO 8601 date-time: created at or after' })),
  end_date: Opt(Type.String({ description: 'ISO 8601 date-time: created at or before' })),
  sort_column: Opt(Enum(['created_at', 'updated_at', 'amount'] as const)),
  sort_direction: Opt(Enum(['asc', 'desc'] as const)),
  amount_min: Opt(SignedCents()),
  amount_max: Opt(SignedCents()),
};

const PayoutView = Output(
  {
    id: Id(),
    entity: Type.Literal('payout'),
    status: Enum(['created', 'paid', 'returned'] as const),
    payout_number: Type.Integer({ minimum: 1 }),
    payout_date: LocalDate(),
    currency: Type.String(),
    transaction_count: Type.Integer({ minimum: 0 }),
    transaction_summary: Type.Array(
      Output({ source_type: Type.String(), count: Type.Integer(), amount: SignedCents() }),
    ),
    amount: Cents({ description: 'the sum of the payout’s ledger transactions' }),
    net_amount: Cents({ description: 'what the bank receives: amount − batch_fee' }),
    fee_amount: Cents({ description: 'processing fees contained in amount (already deducted)' }),
    batch_fee: Cents(),
    reject_fee: Cents(),
    latest_payment_data: Nullable(
      Output({
        attempt: Type.Integer(),
        status: Type.String(),
        at: DateTime(),
        reason: Nullable(Type.String()),
      }),
    ),
    payment_data: Type.Array(
      Output({
        attempt: Type.Integer(),
        status: Type.String(),
        at: DateTime(),
        reason: Nullable(Type.String()),
      }),
    ),
    payment_attempt_count: Type.Integer(),
    payment_reject_count: Type.Integer(),
    owner_type: Type.Literal('account'),
    owner_id: AccountId(),
    account_id: AccountId(),
    business_id: Nullable(Type.String()),
    settlement_status: Enum(['settled', 'unsettled'] as const),
    settled_at: Nullable(DateTime()),
    created_at: DateTime(),
    updated_at: DateTime(),
    completed_at: Nullable(DateTime()),
    returned_at: Nullable(DateTime()),
  },
  { title: 'Payout' },
);

const DisputeView = Output(
  {
    id: Id(),
    entity: Type.Literal('dispute'),
    created_at: DateTime(),
    updated_at: DateTime(),
    account_id: AccountId(),
    business_id: Nullable(Type.String()),
    status: Enum(['new', 'under_review', 'won', 'lost'] as const),
    payment_id: Type.String({ description: 'the disputed payment (gateway transaction)' }),
    payment_intent_id: Nullable(Type.String()),
    amount: Cents(),
    currency: Type.String(),
    fee: Cents({ description: 'the dispute fee of the processing plan' }),
    notes: Type.Array(Output({ id: Id(), note: Type.String(), created_at: DateTime() })),
    attachments: Type.Array(
      Output({
        id: Id(),
        filename: Type.String(),
        content_type: Type.String(),
        size: Type.Integer(),
        sha256: Type.String(),
        created_at: DateTime(),
      }),
    ),
    dispute_date: LocalDate(),
    response_due_date: LocalDate(),
    closed_date: Nullable(LocalDate()),
    reason_disputed_code: Type.Integer(),
    reason_disputed: Type.String(),
    dispute_response: Nullable(Type.String()),
    reference_meta: Type.Record(Type.String(), Type.Unknown()),
    settlement_status: Type.Literal('settled'),
    settled_at: DateTime(),
  },
  { title: 'Dispute' },
);

const RateView = Output({ percentage: Thousandths(), fixed: Cents() });
const ProcessingPlanView = Output(
  {
    id: Id(),
    entity: Type.Literal('processing_plan'),
    account_id: AccountId(),
    plan_type: Enum(['FLAT_RATE', 'INTERCHANGE_PLUS'] as const),
    effective_date: LocalDate(),
    accepted_cards: Type.Array(Enum(['visa', 'mastercard', 'amex', 'discover'] as const)),
    auth_fee: Output({ card: Cents(), ach: Cents() }),
    fees: Output({
      card: RateView,
      ach: RateView,
      dispute: Cents(),
      payout_batch: Cents(),
      payout_reject: Cents(),
    }),
    fees_paid_by_partner: Output({ dispute: Type.Boolean() }),
    partner_pays_chargeback_amount: Type.Boolean(),
    comment: Type.String(),
    interchange_cost: Enum(['GROSS', 'NET'] as const),
    bank_processing_plan_settings: Output({
      payout_schedule: Enum(['daily', 'manual'] as const),
      currency: Type.String(),
    }),
  },
  { title: 'ProcessingPlan' },
);

const RateInput = Input({
  percentage: Type.Optional(Thousandths()),
  fixed: Type.Optional(Cents()),
});
const Params = Input({ id: Str(64) });

/** A /v1 route: the payments API's error shape. */
function v1<const R extends RouteDeclaration>(declaration: R): R & { failure: typeof V1Failure } {
  return route({ ...declaration, failure: V1Failure });
}

export const LEDGER_ROUTES = {
  balances: v1({
    summary: 'Fetch ledger account balances',
    description: 'Per currency: pending (not settled) and available (settled, not paid out).',
    responses: { 200: Output({ data: Type.Array(BalanceView) }) },
    errors: V1_ERRORS,
  }),
  listTransactions: v1({
    summary: 'Fetch a list of transactions',
    query: Input({ ...CursorFields, payout_id: Type.Optional(Str(64)) }),
    responses: { 200: V1List(LedgerTransactionView) },
    errors: V1_ERRORS,
  }),
  getTransaction: v1({
    summary: 'Fetch a transaction',
    params: Params,
    responses: { 200: LedgerTransactionView },
    errors: [...V1_ERRORS, 404],
  }),
  searchTransactions: v1({
    summary: 'Search a list of transactions',
    body: Input({ ...SearchFilters, limit: Opt(Int(1, 50)), page: Opt(Int(1, 1_000_000)) }),
    responses: {
      200: Output({
        data: Type.Array(LedgerTransactionView),
        meta: Output({
          limit: Type.Integer(),
          page: Type.Integer(),
          total_count: Type.Integer(),
        }),
      }),
    },
    errors: V1_ERRORS,
    idempotent: true,
  }),
  downloadTransactions: v1({
    summary: 'Download list of transactions',
    description: 'The matching transactions as CSV, streamed.',
    body: Input(SearchFilters),
    responses: { 200: Type.String() },
    produces: 'text/csv',
    errors: V1_ERRORS,
    idempotent: true,
  }),
  listDisputes: v1({
    summary: 'Fetch list of disputes matching query',
    query: Input({
      ...CursorFields,
      status: Type.Optional(Enum(['new', 'under_review', 'won', 'lost'] as const)),
      payment_id: Type.Optional(Str(64)),
      reason_disputed_code: Type.Optional(Int(0, 999999)),
    }),
    responses: { 200: V1List(DisputeView) },
    errors: V1_ERRORS,
  }),
  getDispute: v1({
    summary: 'Fetch dispute by id',
    params: Params,
    responses: { 200: DisputeView },
    errors: [...V1_ERRORS, 404],
  }),
  addDisputeNote: v1({
    summary: 'Add an evidence note to a dispute',
    description:
      "Rebill's extension. Optionally sets the dispute_response. The dispute is then under review.",
    params: Params,
    body: Input({ note: Str(5000), dispute_response: Type.Optional(Str(5000)) }),
    responses: { 200: DisputeView },
    errors: [...V1_ERRORS, 404, 409],
    idempotent: true,
  }),
  addDisputeAttachment: v1({
    summary: 'Attach an evidence file to a dispute',
    description:
      "Rebill's extension. The file in base64 (at most 512 KiB): PDF, PNG, JPEG or text.",
    params: Params,
    body: Input({ filename: Str(200), content_type: Str(100), content: Type.String() }),
    responses: { 200: DisputeView },
    errors: [...V1_ERRORS, 404, 409],
    idempotent: true,
  }),
  getDisputeAttachment: v1({
    summary: 'Download an evidence file of a dispute',
    params: Input({ id: Str(64), attachmentId: Str(64) }),
    responses: { 200: Type.String() },
    produces: 'application/octet-stream',
    errors: [...V1_ERRORS, 404],
  }),
  listPayouts: v1({
    summary: 'Fetch a list of payouts',
    query: Input(CursorFields),
    responses: { 200: V1List(PayoutView) },
    errors: V1_ERRORS,
  }),
  listBusinessPayouts: v1({
    summary: 'Fetch a list of payouts for a business',
    description: 'Needs x-business-id: the payouts labelled with that business.',
    query: Input(CursorFields),
    responses: { 200: V1List(PayoutView) },
    errors: V1_ERRORS,
  }),
  getPayout: v1({
    summary: 'Fetch a payout by id',
    params: Params,
    responses: { 200: PayoutView },
    errors: [...V1_ERRORS, 404],
  }),
  getProcessingPlan: v1({
    summary: 'Fetch Partner Processing Plan',
    params: Params,
    responses: { 200: ProcessingPlanView },
    errors: [...V1_ERRORS, 404],
  }),
  adjustBalance: route({
    summary: "Adjust a merchant's available balance",
    description:
      "A manual correction (the partner's): + credits the merchant, - debits it. Booked as a new balanced entry and an adjustment ledger transaction.",
    auth: 'partner',
    params: Params,
    body: Input({
      amount: SignedCents(),
      currency: Type.Optional(Str(3, { pattern: '^[A-Z]{3}$' })),
      description: Str(500),
    }),
    responses: { 200: Success(LedgerTransactionView) },
    errors: [404],
    idempotent: true,
  }),
  setProcessingPlan: route({
    summary: "Set a merchant's processing plan",
    description: 'The partner decides the plan; fields left out keep their values.',
    auth: 'partner',
    params: Params,
    body: Input({
      plan_type: Type.Optional(Enum(['FLAT_RATE', 'INTERCHANGE_PLUS'] as const)),
      effective_date: Type.Optional(LocalDate()),
      accepted_cards: Type.Optional(
        Type.Array(Enum(['visa', 'mastercard', 'amex', 'discover'] as const)),
      ),
      auth_fee: Type.Optional(Input({ card: Type.Optional(Cents()), ach: Type.Optional(Cents()) })),
      fees: Type.Optional(
        Input({
          card: Type.Optional(RateInput),
          ach: Type.Optional(RateInput),
          dispute: Type.Optional(Cents()),
          payout_batch: Type.Optional(Cents()),
          payout_reject: Type.Optional(Cents()),
        }),
      ),
      fees_paid_by_partner: Type.Optional(Input({ dispute: Type.Optional(Bool()) })),
      partner_pays_chargeback_amount: Type.Optional(Bool()),
      comment: Type.Optional(Str(1000)),
      interchange_cost: Type.Optional(Enum(['GROSS', 'NET'] as const)),
      bank_processing_plan_settings: Type.Optional(
        Input({ payout_schedule: Type.Optional(Enum(['daily', 'manual'] as const)) }),
      ),
    }),
    responses: { 200: Success(ProcessingPlanView) },
    errors: [404],
    idempotent: true,
  }),
  sandboxRaiseDisputes: v1({
    summary: 'Sandbox: raise the disputes that are due',
    description:
      'Payments of a dispute test amount are disputed 3 days after settlement (docs/ledger.md).',
    responses: { 200: Output({ raised: Type.Integer() }) },
    errors: V1_ERRORS,
    idempotent: true,
  }),
  sandboxResolveDispute: v1({
    summary: 'Sandbox: the network decides a dispute',
    params: Params,
    body: Input({ outcome: Enum(['won', 'lost'] as const) }),
    responses: { 200: DisputeView },
    errors: [...V1_ERRORS, 404, 409],
    idempotent: true,
  }),
  sandboxRunPayouts: v1({
    summary: 'Sandbox: run the daily payouts now',
    responses: { 200: Output({ paid: Type.Integer(), created: Type.Integer() }) },
    errors: V1_ERRORS,
    idempotent: true,
  }),
  sandboxReturnPayout: v1({
    summary: 'Sandbox: the bank rejects a payout in transit',
    params: Params,
    body: Input({ reason: Type.Optional(Str(200)) }),
    responses: { 200: PayoutView },
    errors: [...V1_ERRORS, 404, 409],
    idempotent: true,
  }),
};
