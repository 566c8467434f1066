/**
 * A merchant's processing plan (spec: "Fetch Partner Processing Plan") and the fees it
 * charges (docs/ledger.md, "Fees"). Pure. Percentages are thousandths of a percent (2900 =
 * 2.900%), amounts integer cents; a fee is rounded to the cent half away from zero.
 */

export type PlanType = 'FLAT_RATE' | 'INTERCHANGE_PLUS';
export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover';
export const CARD_BRANDS: readonly CardBrand[] = ['visa', 'mastercard', 'amex', 'discover'];

/** A rate: `percentage` thousandths of the amount plus `fixed` cents. */
export interface Rate {
  percentage: number;
  fixed: number;
}

export interface ProcessingPlan {
  plan_type: PlanType;
  /** Calendar date (merchant's time zone) from which the plan applies. */
  effective_date: string;
  accepted_cards: CardBrand[];
  /** Charged on every captured payment, per payment type. */
  auth_fee: { card: number; ach: number };
  /**
   * FLAT_RATE: `card`/`ach` are the whole rate. INTERCHANGE_PLUS: they are the markup on
   * top of the network's interchange (the sandbox's table, INTERCHANGE_RATES).
   */
  fees: { card: Rate; ach: Rate; dispute: number; payout_batch: number; payout_reject: number };
  fees_paid_by_partner: { dispute: boolean };
  partner_pays_chargeback_amount: boolean;
  comment: string;
  interchange_cost: 'GROSS' | 'NET';
  bank_processing_plan_settings: { payout_schedule: 'daily' | 'manual'; currency: string };
}

/**
 * The sandbox network's interchange rates (what an INTERCHANGE_PLUS plan passes through).
 * Real interchange depends on the card product and region; the sandbox keeps one rate per brand.
 */
export const INTERCHANGE_RATES: Readonly<Record<CardBrand | 'ach', Rate>> = {
  visa: { percentage: 1800, fixed: 10 },
  mastercard: { percentage: 1900, fixed: 10 },
  amex: { percentage: 2500, fixed: 10 },
  discover: { percentage: 1700, fixed: 10 },
  ach: { percentage: 500, fixed: 0 },
};

/** The plan of a merchant nobody configured: 2.9% + 30¢ per card payment, 0.8% ACH, $15 disputes. */
export function defaultProcessingPlan(effectiveDate: string): ProcessingPlan {
  return {
    plan_type: 'FLAT_RATE',
    effective_date: effectiveDate,
    accepted_cards: [...CARD_BRANDS],
    auth_fee: { card: 0, ach: 0 },
    fees: {
      card: { percentage: 2900, fixed: 30 },
      ach: { percentage: 800, fixed: 0 },
      dispute: 1500,
      payout_batch: 0,
      payout_reject: 0,
    },
    fees_paid_by_partner: { dispute: false },
    partner_pays_chargeback_amount: false,
    comment: '',
    interchange_cost: 'GROSS',
    bank_processing_plan_settings: { payout_schedule: 'daily', currency: 'USD' },
  };
}

/** `thousandths` percent of `cents`, rounded half away from zero, in exact integer arithmetic. */
export function percentOf(cents: number, thousandths: number): number {
  const product = BigInt(cents) * BigInt(thousandths);
  const divisor = 100000n;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs * 2n + divisor) / (divisor * 2n);
  const n = Number(negative ? -rounded : rounded);
  if (!Number.isSafeInteger(n)) throw new RangeError('fee does not fit in a safe integer');
  return n + 0;
}

export interface FeeablePayment {
  amount: number;
  paymentType: 'card' | 'ach';
  /** For cards: the brand (interchange-plus plans price by it). */
  cardBrand: string | null;
}

function rateOn(amount: number, rate: Rate): number {
  return percentOf(amount, rate.percentage) + rate.fixed;
}

/**
 * The processing fee of one captured payment: the auth fee plus the plan's rate (flat) or
 * interchange plus markup. Never more than the payment itself (a tiny payment is not
 * charged more than it brought in).
 */
export function processingFee(plan: ProcessingPlan, payment: FeeablePayment): number {
  if (payment.amount <= 0) return 0;
  const kind = payment.paymentType;
  let fee = plan.auth_fee[kind] + rateOn(payment.amount, plan.fees[kind]);
  if (plan.plan_type === 'INTERCHANGE_PLUS') {
    const brand = kind === 'ach' ? 'ach' : (payment.cardBrand as CardBrand);
    const interchange = INTERCHANGE_RATES[brand] ?? INTERCHANGE_RATES.visa;
    fee += rateOn(payment.amount, interchange);
  }
  return Math.min(fee, payment.amount);
}

/** The fee a dispute costs the merchant (nothing when the partner pays it). */
export function disputeFee(plan: ProcessingPlan): number {
  return plan.fees_paid_by_partner.dispute ? 0 : plan.fees.dispute;
}
