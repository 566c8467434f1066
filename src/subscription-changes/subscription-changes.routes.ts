/** Routes of plan changes with proration and the upcoming invoice (docs/proration.md). */
import {
  Bool,
  Cents,
  Enum,
  IdParams,
  IdRef,
  Input,
  Int,
  LocalDate,
  Nullable,
  Opt,
  Output,
  route,
  SignedCents,
  Success,
  Type,
} from '../platform/http/route-schema';
import { BillingRunView } from '../billing/billing-run.routes';
import { AdjustmentRefs } from '../plans/recurring.schemas';
import { SubscriptionView } from '../subscriptions/subscriptions.routes';

const InvoiceLineView = Output(
  {
    amount: SignedCents({ description: 'cents; a credit line is negative' }),
    period_start: LocalDate(),
    period_end: LocalDate(),
    description: Type.String(),
    proration: Type.Boolean(),
    days_remaining: Nullable(Int(0, 100000)),
    days_in_cycle: Nullable(Int(0, 100000)),
  },
  { title: 'InvoicePreviewLine' },
);

export const InvoicePreviewView = Output(
  {
    subscription_id: Type.String(),
    currency: Type.String(),
    lines: Type.Array(InvoiceLineView),
    subtotal: SignedCents(),
    credit_applied: Cents(),
    total: Cents(),
    amount_due: Cents(),
    credit_granted: Cents({ description: "what a downgrade leaves as the customer's credit" }),
    rule: Type.String(),
  },
  { title: 'InvoicePreview' },
);

export const CHANGE_ROUTES = {
  change: route({
    summary: "Change a subscription's plan or amount, with proration",
    description:
      'Day-based proration of the current cycle (docs/proration.md). `preview: true` answers the invoice the change would produce and writes nothing. A downgrade leaves its negative net as customer credit, consumed by the next invoices.',
    params: IdParams,
    body: Input({
      plan_id: Opt(IdRef()),
      amount: Opt(Cents({ description: 'the new base amount per unit' })),
      quantity: Opt(Int(1, 1000000, { description: 'the new number of units' })),
      add_ons: AdjustmentRefs(),
      discounts: AdjustmentRefs(),
      proration: Opt(Enum(['create_prorations', 'none', 'always_invoice'] as const)),
      effective: Opt(Enum(['now', 'next_cycle'] as const)),
      preview: Opt(Bool()),
    }),
    responses: {
      200: Success(
        Output({
          invoice: InvoicePreviewView,
          subscription_id: Type.String(),
          applied: Type.Boolean(),
          charge: Nullable(
            Output(
              {
                id: Type.String(),
                status: Enum(['paid', 'declined'] as const),
                amount: Cents({ description: 'what the card was charged' }),
                credit_applied: Cents(),
                transaction_id: Nullable(Type.String()),
                invoice_id: Nullable(Type.String()),
              },
              {
                description:
                  'proration "always_invoice": the upgrade charged now, customer-initiated, on the stored payment method',
              },
            ),
          ),
        }),
      ),
    },
    // 402: an upgrade charged now was declined (nothing changed).
    errors: [402, 404, 409, 422],
    idempotent: true,
    examples: {
      body: { plan_id: 'b89ffdqj8m0o735i19i0', proration: 'create_prorations', preview: true },
    },
  }),
  endTrial: route({
    summary: 'End a trial now and bill the first cycle at once',
    description:
      "The trial's end and the first bill date become today (the merchant's time zone) and the billing run bills the subscription at once: merchant-initiated, on the payment method verified at signup, with dunning on a decline. Answers the subscription after that billing (active when paid, past due when declined) and the run.",
    params: IdParams,
    responses: {
      200: Success(Output({ subscription: SubscriptionView, billing_run: BillingRunView })),
    },
    errors: [404, 409],
    idempotent: true,
  }),
  upcoming: route({
    summary: 'The invoice the next billing would produce',
    params: IdParams,
    responses: { 200: Success(InvoicePreviewView) },
    errors: [404, 409],
  }),
};
