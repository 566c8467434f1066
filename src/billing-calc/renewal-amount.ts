/**
 * The amount a renewal charges: the cycle's recurring total with the processor's fee
 * program for the payment method it is charged on (surcharge, cash discount, dual pricing),
 * under the same rules, exclusions and caps as /api/calculate/amounts. Tax and service fees
 * are not added to renewals: they belong in the subscription's price.
 */
import { calculateAmounts } from './amounts';
import { parseCalculateAmountsRequest } from './amounts-request';
import type { ProcessorSettings } from './processor';

export interface RenewalAmountInput {
  /** The cycle's recurring total (cents). */
  amount: number;
  currency: string;
  paymentMethod: {
    kind: 'card' | 'ach';
    /** The card's first six digits, when known. */
    bin: string | null;
    surchargeExempt: boolean;
  };
  customerSurchargeExempt: boolean;
  processor: ProcessorSettings;
}

/** The total to charge, fee program included (cents). */
export function renewalAmount(input: RenewalAmountInput): number {
  if (input.processor.fee_program === 'none' || input.amount === 0) return input.amount;
  const bin = input.paymentMethod.bin;
  const request = parseCalculateAmountsRequest({
    amount: input.amount,
    currency: input.currency,
    payment_method: input.paymentMethod.kind,
    transaction_type: 'sale',
    ...(input.paymentMethod.kind === 'card' && bin !== null && /^\d{6}$/.test(bin)
      ? { cc_bin: bin }
      : {}),
    flags: { tax_exempt: true, skip_service_fee: true },
  });
  return calculateAmounts(request, input.processor, {
    customerFlags: { surcharge_exempt: input.customerSurchargeExempt },
    paymentMethodFlags: { surcharge_exempt: input.paymentMethod.surchargeExempt },
  }).total;
}
