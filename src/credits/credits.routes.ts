/** Routes of a customer's credit balance (Rebill's extension; docs/proration.md, "Credits"). */
import {
  Cents,
  DateTime,
  Enum,
  Id,
  IdParams,
  Input,
  Opt,
  Output,
  route,
  SignedCents,
  Str,
  Success,
  Type,
} from '../platform/http/route-schema';

export const MAX_CREDIT_GRANT = 10_000_000_000;

export const CreditEntryView = Output(
  {
    id: Id(),
    customer_id: Type.String(),
    currency: Type.String(),
    amount: SignedCents({
      description: 'positive for a grant, negative when an invoice consumed it',
    }),
    balance_after: Cents(),
    reason: Enum(['manual', 'proration', 'refund', 'invoice'] as const),
    source_type: Type.String(),
    source_id: Type.String(),
    description: Type.String(),
    created_at: DateTime(),
  },
  { title: 'CreditEntry' },
);

const CreditBalanceView = Output(
  {
    customer_id: Type.String(),
    balances: Type.Record(Type.String(), Cents(), { description: 'cents per currency' }),
    entries: Type.Array(CreditEntryView, { description: 'the latest 100 entries, newest first' }),
  },
  { title: 'CreditBalance' },
);

const CreditGrantView = Output(
  {
    customer_id: Type.String(),
    balance: Cents(),
    currency: Type.String(),
    entry: CreditEntryView,
  },
  { title: 'CreditGrant' },
);

export const CREDIT_ROUTES = {
  get: route({
    summary: "A customer's credit balance and its entries",
    params: IdParams,
    responses: { 200: Success(CreditBalanceView) },
    errors: [404],
  }),
  grant: route({
    summary: 'Grant a customer credit',
    description:
      "Credit is consumed by the customer's next invoices before any card is charged. Entries are never edited: a correction is a new entry.",
    params: IdParams,
    body: Input({
      amount: Cents({ minimum: 1, maximum: MAX_CREDIT_GRANT }),
      currency: Opt(
        Type.String({
          pattern: '^[A-Z]{3}$',
          'x-errors': {
            pattern: 'invalid {field}: must be a three-letter ISO 4217 code such as "USD"',
          },
        }),
      ),
      description: Opt(Str(500)),
    }),
    responses: { 200: Success(CreditGrantView) },
    errors: [404],
    idempotent: true,
    examples: { body: { amount: 1500, currency: 'USD', description: 'Goodwill for the outage' } },
  }),
};
