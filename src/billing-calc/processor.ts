/**
 * What the calculation needs to know about a merchant's processor, and the
 * platform-wide surcharge policy. Both are plain data: the gateway module
 * loads them (from the database, from configuration) and passes them in.
 */
import { CalcInputError, describeValue } from './errors';
import { requireCents, requireThousandths } from './money';

export type FeeProgram =
  'none' | 'surcharge' | 'cash_discount' | 'dual_pricing' | 'dual_pricing_v2';
export const FEE_PROGRAMS: readonly FeeProgram[] = [
  'none',
  'surcharge',
  'cash_discount',
  'dual_pricing',
  'dual_pricing_v2',
];

/** A flat fee in cents, or a percentage in thousandths (3500 = 3.500%). */
export interface FeeSetting {
  type: 'flat' | 'percentage';
  value: number;
}

export interface ProcessorSettings {
  id: string;
  /** Tax applied when a request names no tax, in thousandths (18000 = 18.000%); 0 = none. */
  default_tax_rate_thousandths: number;
  /** Whether the default tax is added to the total (otherwise it is informational). */
  add_tax_to_total: boolean;
  /** Service fee charged when a request names none; always added to the total. */
  service_fee: FeeSetting | null;
  fee_program: FeeProgram;
  /** The card fee rate of the fee program, in thousandths. */
  fee_program_rate_thousandths: number;
  /** The merchant's own ceiling on the program rate; null = none beyond the policy's. */
  fee_program_cap_thousandths: number | null;
  /** Surcharge rate used when flags.processor_surcharge_fallback is set and the card's BIN is not known. */
  surcharge_fallback_thousandths: number | null;
  /** Disclosure shown when a surcharge applies; null = Rebill's default wording. */
  surcharge_disclosure_text: string | null;
}

/** A processor that charges nothing extra: no tax, no service fee, no fee program. */
export function defaultProcessorSettings(id: string): ProcessorSettings {
  return {
    id,
    default_tax_rate_thousandths: 0,
    add_tax_to_total: false,
    service_fee: null,
    fee_program: 'none',
    fee_program_rate_thousandths: 0,
    fee_program_cap_thousandths: null,
    surcharge_fallback_thousandths: null,
    surcharge_disclosure_text: null,
  };
}

/** Checks stored settings once, so a bad row fails loudly instead of mis-charging. */
export function assertProcessorSettings(settings: ProcessorSettings): ProcessorSettings {
  const f = (key: string) => `processor.${key}`;
  if (typeof settings.id !== 'string') {
    throw new CalcInputError(f('id'), `must be a string, got ${describeValue(settings.id)}`);
  }
  requireThousandths(settings.default_tax_rate_thousandths, f('default_tax_rate_thousandths'));
  if (typeof settings.add_tax_to_total !== 'boolean') {
    throw new CalcInputError(f('add_tax_to_total'), 'must be true or false');
  }
  if (settings.service_fee !== null) {
    const fee = settings.service_fee;
    if (fee.type === 'flat') requireCents(fee.value, f('service_fee.value'));
    else if (fee.type === 'percentage') requireThousandths(fee.value, f('service_fee.value'));
    else {
      throw new CalcInputError(
        f('service_fee.type'),
        `must be 'flat' or 'percentage', got ${describeValue(fee.type)}`,
      );
    }
  }
  if (!FEE_PROGRAMS.includes(settings.fee_program)) {
    throw new CalcInputError(
      f('fee_program'),
      `is not a known fee program, got ${describeValue(settings.fee_program)}`,
    );
  }
  requireThousandths(settings.fee_program_rate_thousandths, f('fee_program_rate_thousandths'));
  if (settings.fee_program_cap_thousandths !== null) {
    requireThousandths(settings.fee_program_cap_thousandths, f('fee_program_cap_thousandths'));
  }
  if (settings.surcharge_fallback_thousandths !== null) {
    requireThousandths(
      settings.surcharge_fallback_thousandths,
      f('surcharge_fallback_thousandths'),
    );
  }
  return settings;
}

/**
 * Platform rules for surcharging. The defaults follow the card networks'
 * ceiling (3%) and US state law as Rebill ships it; an operator can change
 * them without touching the calculation.
 */
export interface CalcPolicy {
  /** Billing states where credit card surcharges are prohibited (upper case). */
  surchargeBannedStates: readonly string[];
  /** Ceiling on any surcharge, in thousandths (3000 = 3.000%). */
  surchargeCapThousandths: number;
  /** Lower ceilings by billing state, in thousandths. */
  stateSurchargeCapsThousandths: Readonly<Record<string, number>>;
}

export const DEFAULT_CALC_POLICY: CalcPolicy = Object.freeze({
  surchargeBannedStates: Object.freeze(['CT', 'MA', 'ME', 'PR']),
  surchargeCapThousandths: 3000,
  stateSurchargeCapsThousandths: Object.freeze({ CO: 2000 }),
});

/** The lowest of the policy cap, the state's cap and the processor's own cap. */
export function surchargeCapThousandths(
  state: string | null,
  processor: ProcessorSettings,
  policy: CalcPolicy,
): number {
  let cap = policy.surchargeCapThousandths;
  const stateCap = state === null ? undefined : policy.stateSurchargeCapsThousandths[state];
  if (stateCap !== undefined && stateCap < cap) cap = stateCap;
  const own = processor.fee_program_cap_thousandths;
  if (own !== null && own < cap) cap = own;
  return cap;
}
