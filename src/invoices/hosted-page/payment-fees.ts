/**
 * What a hosted-page payment costs by card or bank account under the processor's fee
 * program, computed by the calculation core exactly as the gateway's /api/lookup/fees does,
 * and the words the page shows about it before the customer pays. Pure.
 */
import {
  amountsRequest,
  BinInfo,
  calculateAmounts,
  LookupFeesResponse,
  lookupFees,
  ProcessorSettings,
} from '../../billing-calc';
import { MoneyFormat } from '../../platform/money/currency';

export interface PaymentCharge {
  /** What the payment takes off the invoice. */
  amount: number;
  surcharge: number;
  serviceFee: number;
  /** What the gateway is asked to charge. */
  charged: number;
}

function chargeFrom(amount: number, fees: LookupFeesResponse): PaymentCharge {
  return {
    amount,
    // A cash discount or dual pricing card fee is, like a surcharge, the fee program's card fee.
    surcharge: fees.surcharge + fees.payment_adjustment.value,
    serviceFee: fees.service_fee,
    charged: fees.requested_amount,
  };
}

/** The charge for a payment of `amount` by this card (its BIN) or bank account. */
export function chargeFor(
  amount: number,
  method: { kind: 'card'; cardNumber: string } | { kind: 'ach' },
  processor: ProcessorSettings,
  billingState: string | null,
): PaymentCharge {
  const fees = lookupFees(
    {
      type: 'integrations',
      type_id: null,
      state: billingState,
      bin: method.kind === 'card' ? method.cardNumber.slice(0, 8) : null,
      customer_id: null,
      payment_id: null,
      payment_method: method.kind,
      base_amount: amount,
    },
    processor,
  );
  return chargeFrom(amount, fees);
}

/** A BIN lookup that answers "credit card": the page shows the most a card may cost. */
const ANY_CREDIT_CARD = (): BinInfo => ({ brand: 'unknown', funding: 'credit', source: 'table' });

export interface FeeNotice {
  show: boolean;
  lines: string[];
  disclosure: string;
  /** The button labels' amounts. */
  cardTotal: string;
  achTotal: string;
}

/** What the page says about fees before the customer pays `amount`. */
export function feeNotice(
  amount: number,
  format: MoneyFormat,
  card: ProcessorSettings | null,
  ach: ProcessorSettings | null,
  billingState: string | null,
): FeeNotice {
  const money = (cents: number) => format.money(cents);
  const lines: string[] = [];
  let disclosure = '';
  let cardTotal = money(amount);
  let achTotal = money(amount);
  if (card !== null) {
    const base = {
      type: 'integrations' as const,
      type_id: null,
      state: billingState,
      customer_id: null,
      payment_id: null,
    };
    const anyCard = lookupFees(
      { ...base, bin: null, payment_method: 'card', base_amount: amount },
      card,
    );
    const credit = lookupFees(
      { ...base, bin: '000000', payment_method: 'card', base_amount: amount },
      card,
      { binLookup: ANY_CREDIT_CARD },
    );
    cardTotal = money(anyCard.requested_amount);
    if (anyCard.payment_adjustment.value > 0) {
      lines.push(
        `Card payments include a card fee of ${money(anyCard.payment_adjustment.value)}: ${money(anyCard.requested_amount)} in all.`,
      );
    }
    if (credit.surcharge > 0) {
      lines.push(
        `Credit cards: a surcharge of ${money(credit.surcharge)} is added (${money(credit.requested_amount)} in all). Debit and prepaid cards carry no surcharge.`,
      );
      disclosure = calculateAmounts(
        amountsRequest({
          payment_method: 'card',
          transaction_type: 'sale',
          amount,
          subtotal: amount,
          cc_bin: '000000',
          state: billingState,
        }),
        card,
        { binLookup: ANY_CREDIT_CARD },
      ).disclaimer.text;
    }
    if (anyCard.service_fee > 0) {
      lines.push(`A service fee of ${money(anyCard.service_fee)} is added to card payments.`);
    }
  }
  if (ach !== null) {
    const achFees = lookupFees(
      {
        type: 'integrations',
        type_id: null,
        state: billingState,
        bin: null,
        customer_id: null,
        payment_id: null,
        payment_method: 'ach',
        base_amount: amount,
      },
      ach,
    );
    achTotal = money(achFees.requested_amount);
    if (achFees.discount_amount !== null && achFees.discount_amount > 0) {
      lines.push(
        `Bank account (ACH) payments pay the cash price: ${money(achFees.requested_amount)}.`,
      );
    }
    if (achFees.service_fee > 0) {
      lines.push(
        `A service fee of ${money(achFees.service_fee)} is added to bank account payments.`,
      );
    }
  }
  return { show: lines.length > 0 || disclosure !== '', lines, disclosure, cardTotal, achTotal };
}
