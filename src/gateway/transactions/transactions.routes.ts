/**
 * Transactions (spec: Transactions), served by the sandbox. Bodies are checked field by field
 * here; payment details, amounts against the processor and the CIT/MIT rules stay in the
 * gateway's input code. Responses carry masked numbers only.
 */
import {
  Bool,
  Cents,
  DateTime,
  IdParams,
  Input,
  Nullable,
  Opt,
  Output,
  route,
  Str,
  Success,
  SuccessList,
  Type,
  type FieldOptions,
} from '../../platform/http/route-schema';
import { SpecAddressView, TEXT_MAX } from '../../platform/http/shared-schemas';
import { MAX_CENTS } from '../../platform/http/input';

/** Cents as the gateway API words them (src/platform/http/input.ts). */
function GatewayCents(options: FieldOptions = {}) {
  const problem = 'invalid {field}: must be a whole number of cents, 0 or more (1299 = $12.99)';
  return Cents({
    maximum: MAX_CENTS,
    ...options,
    'x-errors': { type: problem, minimum: problem, ...options['x-errors'] },
  });
}
/** Fields the spec leaves open (payment details, addresses, CIT/MIT indicators) are objects the gateway checks. */
const Obj = (description: string) =>
  Opt(
    Input(
      {},
      {
        description,
        additionalProperties: true,
        'x-errors': { type: 'invalid {field}: must be an object' },
      },
    ),
  );

const AddressView = SpecAddressView;

export const TransactionView = Output(
  {
    id: Type.String(),
    user_id: Type.String(),
    idempotency_key: Type.String(),
    type: Type.String({ description: 'sale, authorize, verification, credit, refund' }),
    amount: Cents(),
    base_amount: Nullable(Cents()),
    amount_authorized: Cents(),
    amount_captured: Cents(),
    amount_settled: Cents(),
    amount_refunded: Cents(),
    surcharge_amount: Cents(),
    service_fee: Cents(),
    tax_amount: Cents(),
    tax_exempt: Type.Boolean(),
    shipping_amount: Cents(),
    currency: Type.String({ example: 'usd' }),
    description: Type.String(),
    order_id: Type.String(),
    po_number: Type.String(),
    ip_address: Type.String(),
    email_receipt: Type.Boolean(),
    email_address: Type.String(),
    payment_method: Type.String(),
    payment_type: Type.String(),
    processor_id: Type.String(),
    customer_id: Type.String(),
    customer_payment_method_id: Type.String(),
    response_code: Type.Integer(),
    response_text: Type.String(),
    response: Type.Record(Type.String(), Type.Unknown(), {
      description: 'the processor response details under the payment type (card or ach)',
    }),
    status: Type.String(),
    billing_address: Nullable(AddressView),
    shipping_address: Nullable(AddressView),
    card_on_file_indicator: Type.String(),
    initiated_by: Type.String(),
    initial_transaction_id: Type.String(),
    stored_credential_indicator: Type.String(),
    billing_method: Type.String(),
    referenced_transaction_id: Type.String(),
    terminal_id: Type.Optional(Type.String()),
    batch_number: Type.Optional(Nullable(Type.Integer())),
    settlement_batch_id: Type.Optional(Type.String()),
    response_body: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'card-present sales: the terminal processor_specific fields (BatchNum, entry_type)',
      }),
    ),
    created_at: DateTime(),
    updated_at: DateTime(),
    captured_at: Nullable(DateTime()),
    settled_at: Nullable(DateTime()),
    voided_at: Nullable(DateTime()),
  },
  { title: 'Transaction' },
);

const TransactionBody = Input({
  type: Opt(Str(20, { example: 'sale' })),
  amount: Opt(GatewayCents()),
  tax_amount: Opt(GatewayCents()),
  shipping_amount: Opt(GatewayCents()),
  tax_exempt: Opt(Bool()),
  currency: Opt(Str(3, { example: 'USD' })),
  description: Opt(Str(TEXT_MAX)),
  order_id: Opt(Str(TEXT_MAX)),
  po_number: Opt(Str(TEXT_MAX)),
  ip_address: Opt(Str(100)),
  email_receipt: Opt(Bool()),
  email_address: Opt(Str(TEXT_MAX)),
  create_vault_record: Opt(Bool()),
  processor_id: Opt(Str(100)),
  payment_method: Obj('card, ach, customer or token: exactly one'),
  billing_address: Obj('the billing address'),
  shipping_address: Obj('the shipping address'),
  card_on_file_indicator: Opt(Str(10)),
  initiated_by: Opt(Str(20)),
  initial_transaction_id: Opt(Str(100)),
  stored_credential_indicator: Opt(Str(20)),
  billing_method: Opt(Str(20)),
});

export const TRANSACTION_ROUTES = {
  process: route({
    errorStyle: 'invalid',
    summary: 'Process a transaction (sale, authorize, verification, credit)',
    body: TransactionBody,
    responses: { 200: Success(TransactionView) },
    errors: [404],
    idempotent: true,
    examples: {
      body: {
        type: 'sale',
        amount: 1112,
        tax_amount: 100,
        shipping_amount: 100,
        currency: 'USD',
        description: 'test transaction',
        payment_method: {
          card: { number: '4111111111111111', expiration_date: '12/28', cvc: '999' },
        },
      },
    },
  }),
  search: route({
    errorStyle: 'invalid',
    summary: 'Search transactions',
    body: Input(
      {},
      { description: 'search fields as in the spec: {"field": {"operator", "value"}}' },
    ),
    responses: { 200: SuccessList(TransactionView) },
    idempotent: true,
  }),
  get: route({
    summary: 'Get a transaction (the spec answers with a one-element list)',
    params: IdParams,
    responses: { 200: SuccessList(TransactionView) },
    errors: [404],
  }),
  capture: route({
    errorStyle: 'invalid',
    summary: 'Capture an authorization',
    params: IdParams,
    body: Input({
      amount: Opt(GatewayCents({ description: 'the amount authorized when absent' })),
    }),
    responses: { 200: Success(TransactionView) },
    errors: [404, 409],
    idempotent: true,
    examples: { body: { amount: 1299 } },
  }),
  void: route({
    summary: 'Void a transaction that has not settled',
    params: IdParams,
    responses: { 200: Success(Type.Null()) },
    errors: [404, 409],
    idempotent: true,
  }),
  refund: route({
    errorStyle: 'invalid',
    summary: 'Refund a settled transaction',
    params: IdParams,
    body: Input({ amount: Opt(GatewayCents({ description: 'all that is left when absent' })) }),
    responses: { 200: Success(TransactionView) },
    errors: [404, 409],
    idempotent: true,
    examples: { body: { amount: 1299 } },
  }),
  settle: route({
    summary: "Settle the merchant's pending sandbox transactions now (normally hourly)",
    responses: { 200: Success(Output({ settled: Type.Integer({ minimum: 0 }) })) },
    idempotent: true,
  }),
};

export const TOKENIZER_ROUTES = {
  create: route({
    errorStyle: 'invalid',
    summary: 'Turn card or bank details into a short-lived token (public key)',
    auth: 'public_or_private',
    body: Input({ card: Obj('the card details'), ach: Obj('the bank account details') }),
    responses: {
      200: Success(
        Output({
          token: Type.String(),
          type: Type.String({ description: 'card or ach' }),
          masked_number: Type.String(),
          card_type: Nullable(Type.String()),
          expires_at: DateTime(),
        }),
      ),
    },
    idempotent: true,
  }),
};
