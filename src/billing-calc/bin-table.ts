/**
 * BIN (the leading digits of a card number) to card brand and funding type.
 *
 * Funding decides surcharge eligibility: debit and prepaid cards may never be
 * surcharged, so a surcharge needs a BIN known to be credit. The table below
 * holds the sandbox test cards and the spec's sample BIN; production can pass
 * a fuller lookup through the calculation context (`CalcContext.binLookup`).
 * For a BIN not in the table the brand still comes from the card networks'
 * prefix ranges, but the funding is `'unknown'`.
 */
import { CalcInputError } from './errors';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';
export type CardFunding = 'credit' | 'debit' | 'prepaid';

export interface BinInfo {
  brand: CardBrand;
  funding: CardFunding | 'unknown';
  /** 'table' when the funding is known from the BIN table, 'prefix' when only the brand is. */
  source: 'table' | 'prefix';
}

export type BinLookup = (bin: string) => BinInfo;

interface BinTableEntry {
  prefix: string;
  brand: CardBrand;
  funding: CardFunding;
  note: string;
}

/** Known BIN prefixes; the longest matching prefix wins. */
export const BIN_TABLE: readonly BinTableEntry[] = [
  { prefix: '411111', brand: 'visa', funding: 'debit', note: 'sandbox 4111111111111111' },
  { prefix: '40055192', brand: 'visa', funding: 'credit', note: 'sandbox 4005519200000004' },
  { prefix: '400000', brand: 'visa', funding: 'credit', note: 'sandbox 4000000000000002' },
  { prefix: '400005', brand: 'visa', funding: 'debit', note: 'test card 4000056655665556' },
  { prefix: '555555', brand: 'mastercard', funding: 'credit', note: 'sandbox 5555555555554444' },
  {
    prefix: '517246',
    brand: 'mastercard',
    funding: 'credit',
    note: "the spec's sample BIN 517246700",
  },
  { prefix: '520082', brand: 'mastercard', funding: 'debit', note: 'test card 5200828282828210' },
  { prefix: '510510', brand: 'mastercard', funding: 'prepaid', note: 'test card 5105105105105100' },
  { prefix: '378282', brand: 'amex', funding: 'credit', note: 'sandbox 378282246310005' },
  { prefix: '601111', brand: 'discover', funding: 'credit', note: 'sandbox 6011111111111117' },
];

/** Validates a BIN: 6 to 19 digits. The value is never echoed (it may be a full card number). */
export function requireBin(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{6,19}$/.test(value.trim())) {
    throw new CalcInputError(field, 'must be 6 to 19 digits of a card number');
  }
  return value.trim();
}

/** The card network from the BIN's leading digits. */
export function brandFromPrefix(bin: string): CardBrand {
  if (bin.startsWith('4')) return 'visa';
  const two = Number(bin.slice(0, 2));
  const three = Number(bin.slice(0, 3));
  const four = Number(bin.slice(0, 4));
  if (two >= 51 && two <= 55) return 'mastercard';
  if (four >= 2221 && four <= 2720) return 'mastercard';
  if (two === 34 || two === 37) return 'amex';
  if (four === 6011 || two === 65 || (three >= 644 && three <= 649)) return 'discover';
  return 'unknown';
}

/** Brand and funding for a BIN (6 to 19 digits; validate with `requireBin` first). */
export function lookupBin(bin: string): BinInfo {
  let best: BinTableEntry | null = null;
  for (const entry of BIN_TABLE) {
    if (
      bin.startsWith(entry.prefix) &&
      (best === null || entry.prefix.length > best.prefix.length)
    ) {
      best = entry;
    }
  }
  if (best !== null) return { brand: best.brand, funding: best.funding, source: 'table' };
  return { brand: brandFromPrefix(bin), funding: 'unknown', source: 'prefix' };
}
