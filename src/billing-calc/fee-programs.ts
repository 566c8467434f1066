/**
 * Card fee programs: who may be charged what.
 *
 * - surcharge:       a card fee on top of the price, rate x (price + tax). Only on
 *                    credit cards, never where the law or the customer forbids it,
 *                    and never above the cap (3.000%, 2.000% in CO, or lower).
 * - cash_discount:   the same fee, presented as part of the card price (the cash
 *                    price is the discounted one). Any card, any state; capped only
 *                    by the processor's own cap.
 * - dual_pricing:    rate x price, added before tax, so the fee is itself taxed.
 * - dual_pricing_v2: the posted price already holds the fee; paying by ACH gets
 *                    the cash price, price / (1 + rate).
 *
 * Every program applies only to sales and authorizations, and no program ever
 * adds a fee to an ACH payment.
 */
import { BinInfo, BinLookup, lookupBin } from './bin-table';
import { AmountAdjustment, CalculateAmountsRequest } from './amounts-request';
import { minCents, percentOfThousandths } from './money';
import {
  CalcPolicy,
  DEFAULT_CALC_POLICY,
  FeeProgram,
  ProcessorSettings,
  surchargeCapThousandths,
} from './processor';

export interface CalcContext {
  /** The saved customer's flags, when the request names one. */
  customerFlags?: { surcharge_exempt?: boolean };
  /** The saved payment method's flags, when the request names one. */
  paymentMethodFlags?: { surcharge_exempt?: boolean };
  /** Surcharge policy; DEFAULT_CALC_POLICY when absent. */
  policy?: CalcPolicy;
  /** A BIN database; the built-in sandbox table when absent. */
  binLookup?: BinLookup;
}

/** The program that governs the card fee for this request. */
export function activeFeeProgram(
  req: CalculateAmountsRequest,
  processor: ProcessorSettings,
): FeeProgram {
  // A surcharge named in the request stands in for a processor without a program; a
  // processor running a cash discount or dual pricing program keeps its own program.
  if (processor.fee_program === 'none' && req.surcharge !== null) return 'surcharge';
  return processor.fee_program;
}

function sellsNow(req: CalculateAmountsRequest): boolean {
  return req.transaction_type === 'sale' || req.transaction_type === 'auth';
}

export type SurchargeSkipReason =
  | 'no_surcharge_program'
  | 'payment_method_ach'
  | 'transaction_type'
  | 'skip_surcharge_flag'
  | 'customer_exempt'
  | 'payment_method_exempt'
  | 'state_banned'
  | 'card_debit'
  | 'card_prepaid'
  | 'card_unknown'
  | 'zero_rate';

export type SurchargeDecision =
  | {
      applies: true;
      /** The requested or configured fee before the cap. */
      fee: { type: 'flat' | 'percentage'; value: number };
      capThousandths: number;
      include: boolean;
    }
  | { applies: false; reason: SurchargeSkipReason };

/** Whether a surcharge may be charged, and at what rate and cap. First failing rule wins. */
export function decideSurcharge(
  req: CalculateAmountsRequest,
  processor: ProcessorSettings,
  context: CalcContext,
): SurchargeDecision {
  const policy = context.policy ?? DEFAULT_CALC_POLICY;
  const skip = (reason: SurchargeSkipReason): SurchargeDecision => ({ applies: false, reason });

  if (activeFeeProgram(req, processor) !== 'surcharge') return skip('no_surcharge_program');
  if (req.payment_method !== 'card') return skip('payment_method_ach');
  if (!sellsNow(req)) return skip('transaction_type');
  if (req.flags.skip_surcharge) return skip('skip_surcharge_flag');
  if (context.customerFlags?.surcharge_exempt === true) return skip('customer_exempt');
  if (context.paymentMethodFlags?.surcharge_exempt === true) return skip('payment_method_exempt');
  if (req.state !== null && policy.surchargeBannedStates.includes(req.state)) {
    return skip('state_banned');
  }

  const card: BinInfo | null =
    req.cc_bin === null ? null : (context.binLookup ?? lookupBin)(req.cc_bin);
  if (card?.funding === 'debit') return skip('card_debit');
  if (card?.funding === 'prepaid') return skip('card_prepaid');

  const requested: AmountAdjustment | null = req.surcharge;
  let fee: { type: 'flat' | 'percentage'; value: number } | null;
  if (card !== null && card.funding === 'credit') {
    fee = requested ?? { type: 'percentage', value: processor.fee_program_rate_thousandths };
  } else if (req.flags.processor_surcharge_fallback) {
    // No BIN, or a BIN whose funding is unknown: only the processor's fallback may apply.
    const fallback = processor.surcharge_fallback_thousandths;
    fee = requested ?? (fallback === null ? null : { type: 'percentage', value: fallback });
  } else {
    fee = null;
  }
  if (fee === null) return skip('card_unknown');
  if (fee.value === 0) return skip('zero_rate');

  const capThousandths = surchargeCapThousandths(req.state, processor, policy);
  if (capThousandths === 0) return skip('zero_rate');
  return { applies: true, fee, capThousandths, include: requested?.include ?? true };
}

/** The surcharge in cents on `base`, never above the cap's share of `base`. */
export function surchargeAmount(
  decision: Extract<SurchargeDecision, { applies: true }>,
  base: number,
): number {
  if (decision.fee.type === 'percentage') {
    return percentOfThousandths(
      base,
      Math.min(decision.fee.value, decision.capThousandths),
      'surcharge',
    );
  }
  return minCents(
    decision.fee.value,
    percentOfThousandths(base, decision.capThousandths, 'surcharge'),
  );
}

/** The surcharge rate actually charged, in thousandths, when it is a percentage. */
export function effectiveSurchargeThousandths(
  decision: Extract<SurchargeDecision, { applies: true }>,
): number | null {
  return decision.fee.type === 'percentage'
    ? Math.min(decision.fee.value, decision.capThousandths)
    : null;
}

/**
 * The rate of a cash discount or dual pricing program, capped by the processor's
 * own cap, or null when the program does not apply to this request. For
 * dual_pricing_v2 the rate applies to both card and ACH requests (the card price
 * holds it, the ACH price removes it); for the others only to cards.
 */
export function cashProgramRate(
  req: CalculateAmountsRequest,
  processor: ProcessorSettings,
): number | null {
  const program = activeFeeProgram(req, processor);
  if (program !== 'cash_discount' && program !== 'dual_pricing' && program !== 'dual_pricing_v2') {
    return null;
  }
  if (program !== 'dual_pricing_v2' && req.payment_method !== 'card') return null;
  if (!sellsNow(req) || req.flags.skip_cash_discount) return null;
  const cap = processor.fee_program_cap_thousandths;
  const rate =
    cap === null
      ? processor.fee_program_rate_thousandths
      : Math.min(processor.fee_program_rate_thousandths, cap);
  return rate > 0 ? rate : null;
}
