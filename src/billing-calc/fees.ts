/**
 * `/api/lookup/fees`: the fees a card or ACH payment of `base_amount` would
 * carry, computed by the same core as `/api/calculate/amounts` (the base is
 * the subtotal; no tax is added, since the base is the amount to charge).
 *
 * Response mapping:
 * - surcharge:          the surcharge, when the surcharge program applies; else 0
 * - payment_adjustment: the cash discount or dual pricing card fee as a flat amount
 *                       ({value: cents, type: 'flat'}); {value: 0, type: ''} otherwise
 * - discount_amount:    under dual_pricing_v2, what an ACH payment saves; else null
 * - service_fee:        the processor's service fee; 0 when none
 * - requested_amount:   what to charge: base + service fee + surcharge + adjustment
 */
import { amountsRequest, PAYMENT_METHODS, PaymentMethodKind } from './amounts-request';
import { computeAmounts } from './amounts';
import { requireBin } from './bin-table';
import { CalcInputError } from './errors';
import { CalcContext } from './fee-programs';
import { isAbsent, optionalString, requireObject, requireOneOf } from './input';
import { requireCents } from './money';
import { ProcessorSettings } from './processor';

export interface LookupFeesRequest {
  type: 'integrations';
  type_id: string | null;
  /** Upper-cased billing state. */
  state: string | null;
  bin: string | null;
  /** The HTTP layer resolves these to CalcContext flags. */
  customer_id: string | null;
  payment_id: string | null;
  payment_method: PaymentMethodKind;
  base_amount: number;
}

export interface LookupFeesResponse {
  service_fee: number;
  payment_adjustment: { value: number; type: '' | 'flat' };
  requested_amount: number;
  discount_amount: number | null;
  surcharge: number;
}

export function parseLookupFeesRequest(body: unknown): LookupFeesRequest {
  const obj = requireObject(body, 'body');
  if (isAbsent(obj.base_amount)) throw new CalcInputError('base_amount', 'is required');
  const state = optionalString(obj.state, 'state');
  return {
    type: requireOneOf(obj.type, 'type', ['integrations'] as const),
    type_id: optionalString(obj.type_id, 'type_id'),
    state: state === null || state.trim() === '' ? null : state.trim().toUpperCase(),
    bin: isAbsent(obj.bin) || obj.bin === '' ? null : requireBin(obj.bin, 'bin'),
    customer_id: optionalString(obj.customer_id, 'customer_id'),
    payment_id: optionalString(obj.payment_id, 'payment_id'),
    payment_method: requireOneOf(obj.payment_method, 'payment_method', PAYMENT_METHODS),
    base_amount: requireCents(obj.base_amount, 'base_amount'),
  };
}

export function lookupFees(
  req: LookupFeesRequest,
  processor: ProcessorSettings,
  context: CalcContext = {},
): LookupFeesResponse {
  const breakdown = computeAmounts(
    amountsRequest({
      payment_method: req.payment_method,
      transaction_type: 'sale',
      amount: req.base_amount,
      subtotal: req.base_amount,
      cc_bin: req.bin,
      state: req.state,
    }),
    processor,
    context,
    { applyDefaultTax: false },
  );
  const programFee = breakdown.programFee?.amount ?? 0;
  const surcharge = breakdown.features.surcharge ? programFee : 0;
  const adjustment = breakdown.features.surcharge ? 0 : programFee;
  return {
    service_fee: breakdown.serviceFee?.amount ?? 0,
    payment_adjustment:
      adjustment > 0 ? { value: adjustment, type: 'flat' } : { value: 0, type: '' },
    requested_amount: breakdown.total,
    discount_amount: breakdown.cashPriceReduction > 0 ? breakdown.cashPriceReduction : null,
    surcharge,
  };
}
