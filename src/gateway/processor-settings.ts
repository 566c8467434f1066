import type { ProcessorSettings } from '../billing-calc/processor';
import type { Processor } from '../processors/processor.entity';

/** The processor's row as the calculation core reads it. */
export function processorSettingsOf(p: Processor): ProcessorSettings {
  return {
    id: p.id,
    default_tax_rate_thousandths: p.defaultTaxRate,
    add_tax_to_total: p.addTaxToTotal,
    service_fee:
      p.serviceFeeType === null ? null : { type: p.serviceFeeType, value: p.serviceFeeValue ?? 0 },
    fee_program: p.feeProgram,
    fee_program_rate_thousandths: p.feeProgramRate,
    fee_program_cap_thousandths: p.feeProgramCap,
    surcharge_fallback_thousandths: p.surchargeFallbackRate,
    surcharge_disclosure_text: p.surchargeDisclosure,
  };
}
