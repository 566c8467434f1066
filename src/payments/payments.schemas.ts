/** The payments API's objects as JSON Schema (docs/payments-api.md; docs/api-contract.md). */
import {
  Bool,
  Cents,
  DateTime,
  Enum,
  Id,
  Int,
  Nullable,
  Opt,
  Output,
  Str,
  Type,
  type TSchema,
} from '../platform/http/route-schema';
import { INTENT_STATUSES } from './intent-state';
import { CANCELLATION_REASONS } from './payment-input';

/** A free-form object the client owns (user_fields, order_details, gateway responses). */
export const FreeObject = Type.Object({}, { additionalProperties: true });

const NullableString = () => Nullable(Type.String());

/** The payments API's one error shape. */
export const V1Failure = Output(
  {
    status: Type.Literal('failed'),
    msg: Type.String({ example: 'invalid amount: must not exceed the authorized amount (2500)' }),
    error: Output({
      code: Type.String({ example: 'bad_request' }),
      param: Nullable(Type.String({ example: 'amount' })),
    }),
  },
  { title: 'PaymentsApiError' },
);

export const PaymentMethodTypes = Type.Array(Enum(['card', 'bank'] as const));

export const BillingDetailsView = Output({
  name: NullableString(),
  email: NullableString(),
  phone: NullableString(),
  address: Output({
    line1: NullableString(),
    line2: NullableString(),
    city: NullableString(),
    state: NullableString(),
    postal_code: NullableString(),
    country: NullableString(),
  }),
});

export const PaymentMethodView = Output(
  {
    id: Id(),
    entity: Type.Literal('payment_method'),
    created_at: Nullable(DateTime()),
    updated_at: Nullable(DateTime()),
    payment_method_type: Enum(['card', 'bank'] as const),
    source_type: Type.String(),
    billing_details: BillingDetailsView,
    single_use_token: Type.Boolean(),
    card: Nullable(
      Output({
        brand: NullableString(),
        last4: Type.String(),
        masked_number: Type.String(),
        exp_month: Nullable(Type.Integer()),
        exp_year: Nullable(Type.Integer()),
      }),
    ),
    bank: Nullable(
      Output({
        last4: Type.String(),
        masked_account_number: Type.String(),
        routing_number: NullableString(),
        account_type: NullableString(),
      }),
    ),
  },
  { title: 'PaymentMethod' },
);

const Settlement = {
  settlement_status: Enum(['settled', 'unsettled'] as const),
  settled_at: Nullable(DateTime()),
};

const Check = () => Enum(['pass', 'fail', 'unavailable', 'unchecked'] as const);

export const PaymentView = Output(
  {
    id: Id(),
    entity: Type.Literal('payment'),
    status: Enum(['pending', 'uncaptured', 'captured', 'cancelled', 'voided', 'failed'] as const),
    billing_details: Nullable(BillingDetailsView),
    amount: Cents(),
    amount_authorized: Cents(),
    amount_captured: Cents(),
    amount_refunded: Cents(),
    amount_voided: Cents(),
    amount_disputed: Cents(),
    amount_reversed: Cents(),
    cvv: NullableString(),
    avs: NullableString(),
    address_line1_check: Check(),
    address_postal_code_check: Check(),
    cvv_check: Check(),
    signature: Type.Null(),
    emv_tag_data: Type.Null(),
    entry_mode: Type.String(),
    reversed: Type.Boolean(),
    reversal_id: Type.Null(),
    disputed: Type.Boolean(),
    dispute_id: Type.Null(),
    order_details: Nullable(FreeObject),
    payment_intent_id: Id(),
    payment_method_id: NullableString(),
    payment_method: Nullable(PaymentMethodView),
    auth_code: NullableString(),
    auth_response_text: NullableString(),
    external: Type.Boolean(),
    card_present: Type.Boolean(),
    transaction_id: Nullable(
      Type.String({ description: 'the gateway transaction (GET /api/transaction/{id})' }),
    ),
    gateway_response: Nullable(FreeObject),
    created_at: Nullable(DateTime()),
    updated_at: Nullable(DateTime()),
    account_id: Type.String(),
    reference_id: NullableString(),
    user_fields: Nullable(FreeObject),
    description: NullableString(),
    ...Settlement,
  },
  { title: 'Payment' },
);

export const IntentStatus = Enum(INTENT_STATUSES);

export const CancellationReason = Enum(CANCELLATION_REASONS);

export const PaymentIntentView = Output(
  {
    id: Id(),
    client_secret: Nullable(Type.String({ description: 'shown to private keys only' })),
    entity: Type.Literal('payment_intent'),
    status: IntentStatus,
    amount: Cents(),
    merchant_amount: Cents(),
    amount_authorized: Cents(),
    amount_captured: Cents(),
    amount_refunded: Cents(),
    amount_voided: Cents(),
    amount_disputed: Cents(),
    amount_reversed: Cents(),
    payment_splits: Type.Array(FreeObject),
    order_details: Nullable(FreeObject),
    capture: Type.Boolean(),
    currency: Type.String(),
    latest_payment: Nullable(PaymentView),
    disputed: Type.Boolean(),
    dispute_id: Type.Null(),
    reversed: Type.Boolean(),
    reversal_id: Type.Null(),
    external: Type.Boolean(),
    partner_id: Type.String(),
    business_id: NullableString(),
    account_id: Type.String(),
    payment_method_types: PaymentMethodTypes,
    reference_id: NullableString(),
    user_fields: Nullable(FreeObject),
    cancellation_reason: Type.Unsafe<string | null>({
      type: ['string', 'null'],
      enum: [...CANCELLATION_REASONS, null],
    }),
    description: NullableString(),
    checkout_session_id: NullableString(),
    created_at: Nullable(DateTime()),
    updated_at: Nullable(DateTime()),
    cancelled_at: Nullable(DateTime()),
    captured_at: Nullable(DateTime()),
    ...Settlement,
  },
  { title: 'PaymentIntent' },
);

export const RefundView = Output(
  {
    id: Id(),
    entity: Type.Literal('refund'),
    status: Enum(['pending', 'succeeded', 'failed'] as const),
    external: Type.Boolean(),
    amount: Cents(),
    account_id: Type.String(),
    payment_id: Id(),
    payment_intent_id: Id(),
    method: Enum(['refund', 'void', 'external'] as const),
    transaction_id: NullableString(),
    created_at: Nullable(DateTime()),
    updated_at: Nullable(DateTime()),
    ...Settlement,
  },
  { title: 'Refund' },
);

export const CheckoutSessionView = Output(
  {
    id: Id(),
    entity: Type.Literal('checkout_session'),
    url: Type.String(),
    cancel_url: Type.String(),
    success_url: Type.String(),
    customer_email: Type.String(),
    reference_id: NullableString(),
    user_fields: Nullable(FreeObject),
    payment_method_types: PaymentMethodTypes,
    payment_intent_data: FreeObject,
    payment_intent_id: NullableString(),
    subtotal: Cents(),
    discount_amount: Cents(),
    amount_total: Cents(),
    subscription: Nullable(
      Output({ plan_id: Type.String(), description: Type.Optional(Type.String()) }),
    ),
    subscription_id: NullableString(),
    customer_id: NullableString(),
    status: Enum(['open', 'complete', 'expired'] as const),
    account_id: Type.String(),
    partner_id: Type.String(),
    business_id: NullableString(),
    created_at: Nullable(DateTime()),
    updated_at: Nullable(DateTime()),
    expires_at: Nullable(DateTime()),
  },
  { title: 'CheckoutSession' },
);

export const ListMetaView = Output(
  {
    limit: Type.Integer({ minimum: 1, maximum: 50 }),
    has_more: Type.Boolean(),
    first_id: NullableString(),
    last_id: NullableString(),
    starting_after: NullableString(),
    ending_before: NullableString(),
  },
  { title: 'ListMeta' },
);

/** `{"data": [...], "meta": {...}}` with cursor pagination. */
export function V1List<T extends TSchema>(item: T) {
  return Output({ data: Type.Array(item), meta: ListMetaView });
}

export const SearchMetaView = Output({
  limit: Type.Integer(),
  page: Type.Integer(),
  total_count: Type.Integer(),
});

/** `starting_after`, `ending_before`, `limit` (1–50, default 10). */
export const CursorQuery = Type.Object({
  starting_after: Opt(
    Str(64, { description: 'the id of the object this page starts after (older ones)' }),
  ),
  ending_before: Opt(
    Str(64, { description: 'the id of the object this page ends before (newer ones)' }),
  ),
  limit: Type.Optional(Int(1, 50, { description: 'at most 50, default 10' })),
});

export { Bool, Cents, Opt, Str, Type };
