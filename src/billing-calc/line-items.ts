/**
 * Pricing of one line (a calculate-amounts line item or product, an invoice
 * item). Shared by the amounts calculation and invoice totals so a line costs
 * the same everywhere:
 *
 *   gross    = round(unit_price x quantity)          quantity may be fractional
 *   discount = discount_amount, or round(discount_rate x gross); never above gross
 *   freight  = freight_amount
 *   tax      = only when taxable, on (gross - discount + freight):
 *              local and national parts each rounded, or else one combined rate
 *   amount   = gross - discount + freight + tax
 */
import {
  Money,
  minCents,
  percentOfThousandths,
  roundCents,
  subtractCents,
  sumCents,
} from './money';

export interface LinePricingInput {
  unit_price: number;
  quantity: number;
  discount_amount: number | null;
  discount_rate_thousandths: number | null;
  freight_amount: number | null;
  taxable: boolean;
  local_tax_rate_thousandths: number | null;
  national_tax_rate_thousandths: number | null;
  tax_rate_thousandths: number | null;
  /** Flat tax amounts (invoice items carry these); a non-zero rate wins over them. */
  local_tax: number | null;
  national_tax: number | null;
  tax_amount: number | null;
}

export interface LinePricing {
  gross: number;
  discount: number;
  freight: number;
  local_tax: number;
  national_tax: number;
  /** local_tax + national_tax, or the combined-rate tax. */
  tax: number;
  amount: number;
}

/** A rate when it is set and not zero, otherwise the flat amount, otherwise 0. */
function ratedOrFlat(
  base: number,
  rate: number | null,
  flat: number | null,
  field: string,
): number {
  if (rate !== null && rate > 0) return percentOfThousandths(base, rate, field);
  return flat ?? 0;
}

export function priceLine(line: LinePricingInput, field: string): LinePricing {
  const gross = roundCents(new Money(line.unit_price).times(line.quantity), `${field}.unit_price`);
  const wantedDiscount =
    line.discount_amount ??
    (line.discount_rate_thousandths === null
      ? 0
      : percentOfThousandths(gross, line.discount_rate_thousandths));
  // NOTE: a discount larger than the line would make the line negative; it is capped at the line's price.
  const discount = minCents(wantedDiscount, gross);
  const freight = line.freight_amount ?? 0;
  const taxBase = sumCents([subtractCents(gross, discount), freight]);

  let localTax = 0;
  let nationalTax = 0;
  let tax = 0;
  if (line.taxable) {
    const separate =
      line.local_tax_rate_thousandths !== null ||
      line.national_tax_rate_thousandths !== null ||
      line.local_tax !== null ||
      line.national_tax !== null;
    if (separate) {
      localTax = ratedOrFlat(taxBase, line.local_tax_rate_thousandths, line.local_tax, field);
      nationalTax = ratedOrFlat(
        taxBase,
        line.national_tax_rate_thousandths,
        line.national_tax,
        field,
      );
      tax = sumCents([localTax, nationalTax]);
    } else {
      tax = ratedOrFlat(taxBase, line.tax_rate_thousandths, line.tax_amount, field);
    }
  }
  return {
    gross,
    discount,
    freight,
    local_tax: localTax,
    national_tax: nationalTax,
    tax,
    amount: sumCents([taxBase, tax], field),
  };
}
