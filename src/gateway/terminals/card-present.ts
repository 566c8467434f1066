/**
 * What a sandbox terminal reads when a sale is sent to it. Pure: deterministic by amount
 * (docs/terminals.md). The card the customer presents is the sandbox's approving Visa; the
 * amount then decides the outcome through the sandbox's test-amount table, and its cents
 * decide how the card was read.
 */
import { CardDetails, cardTypeOf } from '../payment-details/payment-details';

export type EntryType = 'chip' | 'swiped' | 'contactless' | 'keyed';

export const TERMINAL_TEST_CARD = '4111111111111111';

/** Cents .91 swiped, .92 contactless (tap), .93 keyed on the terminal; anything else chip (EMV). */
export function entryTypeFor(amount: number): EntryType {
  switch (amount % 100) {
    case 91:
      return 'swiped';
    case 92:
      return 'contactless';
    case 93:
      return 'keyed';
    default:
      return 'chip';
  }
}

/**
 * The presented card: the test card, expiring with the request's expiration_date when one
 * is sent, otherwise in December three years after `now`.
 */
export function presentedCard(
  amount: number,
  now: Date,
  expiration: { month: number; year: number } | null,
): { card: CardDetails; entryType: EntryType } {
  return {
    card: {
      number: TERMINAL_TEST_CARD,
      expirationMonth: expiration?.month ?? 12,
      expirationYear: expiration?.year ?? now.getUTCFullYear() + 3,
      cardType: cardTypeOf(TERMINAL_TEST_CARD),
    },
    entryType: entryTypeFor(amount),
  };
}
