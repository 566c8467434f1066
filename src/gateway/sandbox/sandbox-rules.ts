import { declineKindOf } from '../response-codes';

/**
 * What the sandbox answers, decided only by the request: the test card or bank account,
 * the amount, the billing address and the CVC. Pure and deterministic; docs/sandbox.md
 * holds the same tables for people.
 */
export type SandboxTransactionType = 'sale' | 'authorize' | 'verification' | 'credit';

export interface SandboxInput {
  type: SandboxTransactionType;
  amount: number;
  method:
    { kind: 'card'; number: string; cvc: string | null } | { kind: 'ach'; accountNumber: string };
  billingAddress: { address_line_1?: string | null; postal_code?: string | null } | null;
  allowPartialPayment: boolean;
}

export interface SandboxDecision {
  responseCode: number;
  /** What the issuer approved: the amount, half of it for a partial approval, 0 when declined. */
  approvedAmount: number;
  avsResponseCode: string;
  cvvResponseCode: string;
  /**
   * The charge is approved and recorded, but the answer is held back longer than any
   * client waits: the client sees a timeout and must resolve the attempt by searching.
   */
  respondLate: boolean;
}

type CardBehaviour = { code: number } | { partial: true } | { late: true };

export interface SandboxCard {
  number: string;
  brand: string;
  behaviour: CardBehaviour;
  note: string;
}

/** Cards that always approve, whatever the amount, unless a test amount says otherwise. */
export const SANDBOX_APPROVING_CARDS: readonly SandboxCard[] = [
  { number: '4111111111111111', brand: 'visa', behaviour: { code: 100 }, note: 'Visa debit' },
  { number: '4005519200000004', brand: 'visa', behaviour: { code: 100 }, note: 'Visa credit' },
  {
    number: '4012000098765439',
    brand: 'visa',
    behaviour: { code: 100 },
    note: 'Visa (the spec sample)',
  },
  {
    number: '5555555555554444',
    brand: 'mastercard',
    behaviour: { code: 100 },
    note: 'Mastercard credit',
  },
  { number: '378282246310005', brand: 'amex', behaviour: { code: 100 }, note: 'American Express' },
  { number: '6011111111111117', brand: 'discover', behaviour: { code: 100 }, note: 'Discover' },
];

/** Cards with a fixed outcome, whatever the amount. */
export const SANDBOX_OUTCOME_CARDS: readonly SandboxCard[] = [
  {
    number: '4000000000000002',
    brand: 'visa',
    behaviour: { code: 202 },
    note: 'insufficient funds (soft)',
  },
  {
    number: '4000000000000010',
    brand: 'visa',
    behaviour: { code: 201 },
    note: 'do not honor (soft)',
  },
  {
    number: '4000000000000101',
    brand: 'visa',
    behaviour: { code: 264 },
    note: 'retry in a few days (soft)',
  },
  { number: '4000000000000028', brand: 'visa', behaviour: { code: 251 }, note: 'lost card (hard)' },
  {
    number: '4000000000000036',
    brand: 'visa',
    behaviour: { code: 252 },
    note: 'stolen card (hard)',
  },
  {
    number: '4000000000000044',
    brand: 'visa',
    behaviour: { code: 223 },
    note: 'expired card (hard)',
  },
  {
    number: '4000000000000051',
    brand: 'visa',
    behaviour: { code: 225 },
    note: 'invalid CVC (hard), CVV "N"',
  },
  {
    number: '4000000000000069',
    brand: 'visa',
    behaviour: { code: 261 },
    note: 'stop all recurring payments (hard)',
  },
  {
    number: '4000000000000077',
    brand: 'visa',
    behaviour: { partial: true },
    note: 'partial approval of half the amount',
  },
  {
    number: '4000000000000085',
    brand: 'visa',
    behaviour: { code: 300 },
    note: 'gateway decline, fraud rule (hard)',
  },
  {
    number: '4000000000000093',
    brand: 'visa',
    behaviour: { code: 400 },
    note: 'processor error (soft)',
  },
  {
    number: '4000000000000119',
    brand: 'visa',
    behaviour: { late: true },
    note: 'approved and recorded, answer held back: client timeout',
  },
];

/**
 * Amounts that decide the outcome on any approving card or bank account: $1,CCC.00 answers
 * response code CCC. $1,999.00 is approved and recorded but answered late (a timeout).
 */
export const SANDBOX_TEST_AMOUNTS: ReadonlyMap<number, CardBehaviour> = new Map<
  number,
  CardBehaviour
>([
  [120100, { code: 201 }],
  [120200, { code: 202 }],
  [122300, { code: 223 }],
  [125100, { code: 251 }],
  [126100, { code: 261 }],
  [126400, { code: 264 }],
  [130000, { code: 300 }],
  [140000, { code: 400 }],
  [142000, { code: 420 }],
  [111000, { partial: true }],
  [199900, { late: true }],
]);

/** Bank accounts with a fixed outcome; any other valid account approves. */
export const SANDBOX_ACH_ACCOUNTS: ReadonlyMap<string, CardBehaviour> = new Map<
  string,
  CardBehaviour
>([
  ['9999999902', { code: 202 }],
  ['9999999920', { code: 220 }],
]);

const OUTCOME_BY_CARD = new Map(SANDBOX_OUTCOME_CARDS.map((c) => [c.number, c.behaviour]));

/** The postal code that never matches, for AVS "N". */
export const SANDBOX_AVS_NO_MATCH_POSTAL_CODE = '99999';
/** The CVC that never matches, for CVV "N". */
export const SANDBOX_CVV_NO_MATCH = '000';

export function decideSandboxOutcome(input: SandboxInput): SandboxDecision {
  const fixed =
    input.method.kind === 'card'
      ? OUTCOME_BY_CARD.get(input.method.number)
      : SANDBOX_ACH_ACCOUNTS.get(input.method.accountNumber);
  const byAmount =
    input.type === 'verification' ? undefined : SANDBOX_TEST_AMOUNTS.get(input.amount);
  const behaviour: CardBehaviour = fixed ?? byAmount ?? { code: 100 };

  const isCard = input.method.kind === 'card';
  let avs = isCard ? avsFor(input.billingAddress) : '';
  let cvv = isCard ? cvvFor(input.method.kind === 'card' ? input.method.cvc : null) : '';
  const approve = (code: number, approvedAmount: number, respondLate = false): SandboxDecision => ({
    responseCode: code,
    approvedAmount,
    avsResponseCode: avs,
    cvvResponseCode: cvv,
    respondLate,
  });

  if (input.type === 'verification') {
    // A zero-amount verification checks that the card is valid, not that funds are there, as
    // issuers do: a soft decline (insufficient funds, do not honor, retry later, a processor
    // error) is about a charge, so the card verifies and its charges still decline (dunning
    // stays testable); a hard decline (lost, stolen, expired, invalid CVC, stop recurring, a
    // fraud rule) fails verification too. The late card answers a verification at once: its
    // lost answer is about a charge. docs/sandbox.md.
    if ('late' in behaviour || 'partial' in behaviour) return approve(100, 0);
    if (behaviour.code >= 200 && declineKindOf(behaviour.code) === 'soft') return approve(100, 0);
  }
  if ('late' in behaviour) return approve(100, input.amount, true);
  if ('partial' in behaviour) {
    // Only a charge can be partly approved; there is nothing to split in a verification or credit.
    if (!isCard || (input.type !== 'sale' && input.type !== 'authorize') || input.amount < 2) {
      return approve(100, input.amount);
    }
    if (!input.allowPartialPayment) return approve(202, 0);
    return approve(110, Math.floor(input.amount / 2));
  }
  if (behaviour.code === 225) cvv = 'N';
  if (behaviour.code >= 200) {
    if (behaviour.code >= 300) avs = isCard ? '0' : '';
    return approve(behaviour.code, 0);
  }
  return approve(behaviour.code, input.amount);
}

/**
 * AVS from the billing address: none → "0" (not available); the no-match postal code →
 * "N"; street and 5-digit ZIP → "Y"; street and 9-digit ZIP → "X"; ZIP only → "Z" (5) or
 * "W" (9); street only → "A".
 */
export function avsFor(address: SandboxInput['billingAddress']): string {
  if (address === null) return '0';
  const street = (address.address_line_1 ?? '').trim() !== '';
  const postal = (address.postal_code ?? '').replace(/[\s-]/g, '');
  if (postal === SANDBOX_AVS_NO_MATCH_POSTAL_CODE) return 'N';
  const zip5 = /^\d{5}$/.test(postal);
  const zip9 = /^\d{9}$/.test(postal);
  if (street && zip5) return 'Y';
  if (street && zip9) return 'X';
  if (zip5) return 'Z';
  if (zip9) return 'W';
  if (street) return 'A';
  return '0';
}

/** CVV: none sent → "P" (not processed); the no-match CVC → "N"; any other → "M". */
export function cvvFor(cvc: string | null): string {
  if (cvc === null) return 'P';
  return cvc === SANDBOX_CVV_NO_MATCH ? 'N' : 'M';
}
