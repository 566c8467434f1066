/**
 * Every /v1 route, declared once (docs/api-contract.md): the document, the serializer and the
 * request checks. Request fields are declared optional: the services read the bodies and
 * refuse a missing or contradictory field naming it (docs/payments-api.md, "Errors"), after
 * the x-api-key guard.
 */
import {
  IdParams,
  Input,
  NoBody,
  route,
  type RouteDeclaration,
} from '../platform/http/route-schema';
import { HtmlPage } from '../platform/http/shared-schemas';
import {
  Bool,
  CancellationReason,
  Cents,
  CheckoutSessionView,
  CursorQuery,
  FreeObject,
  IntentStatus,
  Opt,
  PaymentIntentView,
  PaymentMethodTypes,
  PaymentMethodView,
  PaymentView,
  RefundView,
  SearchMetaView,
  Str,
  Type,
  V1Failure,
  V1List,
} from './payments.schemas';

const V1 = { failure: V1Failure } as const;

const intentFields = {
  amount: Opt(Cents()),
  merchant_amount: Opt(Cents()),
  payment_splits: Opt(Type.Array(FreeObject)),
  order_details: Opt(FreeObject),
  capture: Opt(Bool()),
  currency: Opt(Str(3)),
  reference_id: Opt(Str(255)),
  user_fields: Opt(FreeObject),
  description: Opt(Str(255)),
  payment_method_types: Opt(PaymentMethodTypes),
};

const paymentFields = {
  payment_method_id: Opt(Str(64)),
  client_secret: Opt(Str(200)),
  cvv2: Opt(Str(4)),
  reference_id: Opt(Str(255)),
  user_fields: Opt(FreeObject),
  description: Opt(Str(255)),
  order_details: Opt(FreeObject),
};

const billingDetails = Opt(FreeObject);

function v1<const R extends RouteDeclaration>(declaration: R): R & typeof V1 {
  return route({ ...declaration, ...V1 });
}

export const PAYMENT_INTENT_ROUTES = {
  create: v1({
    summary: 'Create a payment intent',
    body: Input(intentFields),
    responses: { 200: PaymentIntentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  list: v1({
    summary: 'List payment intents (cursor pagination)',
    query: Input(CursorQuery.properties),
    responses: { 200: V1List(PaymentIntentView) },
    errors: [403, 404],
  }),
  search: v1({
    summary: 'Search payment intents',
    body: Input({
      reference_id: Opt(Str(255)),
      status: Opt(IntentStatus),
      settlement_status: Opt(Str(20)),
      payment_status: Opt(Str(20)),
      has_refund: Opt(Bool()),
      start_date: Opt(Str(40)),
      end_date: Opt(Str(40)),
      amount_min: Opt(Cents()),
      amount_max: Opt(Cents()),
      sort_column: Opt(Str(20)),
      sort_direction: Opt(Str(4)),
      limit: Opt(Type.Integer()),
      page: Opt(Type.Integer()),
    }),
    responses: {
      200: Type.Object(
        { data: Type.Array(PaymentIntentView), meta: SearchMetaView },
        { additionalProperties: false },
      ),
    },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  get: v1({
    summary: 'Fetch a payment intent',
    params: IdParams,
    responses: { 200: PaymentIntentView },
    errors: [403, 404],
  }),
  update: v1({
    summary: 'Patch a payment intent (created or failed only)',
    params: IdParams,
    body: Input(intentFields),
    responses: { 200: PaymentIntentView },
    errors: [403, 404, 409],
  }),
  cancel: v1({
    summary: 'Cancel a payment intent (voids an authorization)',
    params: IdParams,
    body: Input({ cancellation_reason: Opt(CancellationReason) }),
    responses: { 200: PaymentIntentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  capture: v1({
    summary: 'Capture a payment intent (at most the authorized amount)',
    params: IdParams,
    body: Input({ amount: Opt(Cents()), payment_splits: Opt(Type.Array(FreeObject)) }),
    responses: { 200: PaymentIntentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  payments: v1({
    summary: "List a payment intent's payments",
    params: IdParams,
    query: Input(CursorQuery.properties),
    responses: { 200: V1List(PaymentView) },
    errors: [403, 404],
  }),
  pay: v1({
    summary: 'Create a payment: charge a payment method (a gateway transaction)',
    params: IdParams,
    body: Input(paymentFields),
    responses: { 200: PaymentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  refund: v1({
    summary: 'Refund a payment intent, partly or fully',
    params: IdParams,
    body: Input({ amount: Opt(Cents()) }),
    responses: { 200: RefundView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
};

export const REFUND_ROUTES = {
  get: v1({
    summary: 'Fetch a refund',
    params: IdParams,
    responses: { 200: RefundView },
    errors: [403, 404],
  }),
};

export const PAYMENT_METHOD_ROUTES = {
  create: v1({
    summary: 'Create a payment method (the JS SDK; the public key may)',
    body: Input({
      payment_method_type: Opt(Str(10)),
      card: Opt(FreeObject),
      bank: Opt(FreeObject),
      token: Opt(Str(200)),
      billing_details: billingDetails,
    }),
    responses: { 200: PaymentMethodView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  get: v1({
    summary: 'Fetch a payment method',
    params: IdParams,
    responses: { 200: PaymentMethodView },
    errors: [403, 404],
  }),
  update: v1({
    summary: "Update a payment method's billing details",
    params: IdParams,
    body: Input({ billing_details: billingDetails }),
    responses: { 200: PaymentMethodView },
    errors: [403, 404],
  }),
};

export const CHECKOUT_SESSION_ROUTES = {
  create: v1({
    summary: 'Create a checkout session',
    body: Input({
      cancel_url: Opt(Str(2000)),
      success_url: Opt(Str(2000)),
      customer_email: Opt(Str(254)),
      reference_id: Opt(Str(255)),
      user_fields: Opt(FreeObject),
      payment_method_types: Opt(PaymentMethodTypes),
      payment_intent_data: Opt(FreeObject),
      subtotal: Opt(Cents()),
      discount_amount: Opt(Cents()),
      expires_at: Opt(Str(40)),
      subscription: Opt(FreeObject),
    }),
    responses: { 200: CheckoutSessionView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  list: v1({
    summary: 'List checkout sessions (cursor pagination)',
    query: Input(CursorQuery.properties),
    responses: { 200: V1List(CheckoutSessionView) },
    errors: [403, 404],
  }),
  get: v1({
    summary: 'Fetch a checkout session',
    params: IdParams,
    responses: { 200: CheckoutSessionView },
    errors: [403, 404],
  }),
  complete: v1({
    summary: 'Complete a checkout session (paid, or nothing due)',
    params: IdParams,
    responses: { 200: CheckoutSessionView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  expire: v1({
    summary: 'Expire a checkout session',
    params: IdParams,
    responses: { 200: CheckoutSessionView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  pay: v1({
    summary: 'Create a checkout session payment (the JS SDK; the public key may)',
    params: IdParams,
    body: Input(paymentFields),
    responses: { 200: PaymentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
};

export const EXTERNAL_ROUTES = {
  create: v1({
    summary: 'Create an external payment intent (money that moved elsewhere)',
    body: Input({
      payment_intent: Opt(FreeObject),
      payment_method: Opt(FreeObject),
      gateway_response: Opt(FreeObject),
      card_present: Opt(Bool()),
      invoice_id: Opt(Str(64)),
    }),
    responses: { 200: PaymentIntentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  cancel: v1({
    summary: 'Cancel an external payment intent',
    params: IdParams,
    body: Input({
      gateway_void_response: Opt(FreeObject),
      cancellation_reason: Opt(CancellationReason),
    }),
    responses: { 200: PaymentIntentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  capture: v1({
    summary: 'Capture an external payment intent',
    params: IdParams,
    body: Input({ amount: Opt(Cents()), gateway_capture_response: Opt(FreeObject) }),
    responses: { 200: PaymentIntentView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
  refund: v1({
    summary: 'Create an external refund',
    body: Input({
      payment_intent_id: Opt(Str(64)),
      refund_request: Opt(FreeObject),
      gateway_response: Opt(FreeObject),
    }),
    responses: { 200: RefundView },
    errors: [403, 404, 409, 422],
    idempotent: true,
  }),
};

const HTML = HtmlPage;

/** The hosted checkout page: HTML for the customer's browser; the token is the credential. */
export const CHECKOUT_PAGE_ROUTES = {
  page: route({
    summary: 'The hosted checkout page',
    auth: 'none',
    produces: 'text/html',
    params: Input({ token: Type.String({ maxLength: 100 }) }),
    responses: { 200: HTML, 404: HTML, 410: HTML },
  }),
  pay: route({
    summary: 'Pay on the hosted checkout page (form post; redirects to success_url)',
    auth: 'none',
    produces: 'text/html',
    params: Input({ token: Type.String({ maxLength: 100 }) }),
    responses: { 202: HTML, 303: NoBody, 400: HTML, 402: HTML, 404: HTML, 409: HTML, 410: HTML },
    idempotent: true,
  }),
};
