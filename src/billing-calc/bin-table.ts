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

export interface BinTableEntry {
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

/**
 * Brand and funding for a BIN (6 to 19 digits; validate with `requireBin` first).
 *
 * The table keys some cards by more digits than clients send (`40055192`, while most clients
 * send six: `400551`). A BIN may therefore be shorter than entries under it. It resolves to
 * what every candidate agrees on: the entries under it (their prefixes start with the BIN)
 * and the longest entry covering it (the BIN starts with its prefix), which stands for the
 * rest of its range. When they all agree on brand and funding, that is the answer (source
 * 'table'). When they disagree, the BIN cannot say which card it is: the funding is
 * 'unknown' (so a surcharge is never applied to what may be a debit or prepaid card) and the
 * brand is the one they share, else the networks' prefix ranges' (source 'prefix').
 */
export function lookupBin(bin: string): BinInfo {
  return lookupBinIn(BIN_TABLE, bin);
}

/** `lookupBin` over another table (tests; a fuller production table). */
export function lookupBinIn(table: readonly BinTableEntry[], bin: string): BinInfo {
  let covering: BinTableEntry | null = null;
  const under: BinTableEntry[] = [];
  for (const entry of table) {
    if (bin.startsWith(entry.prefix)) {
      if (covering === null || entry.prefix.length > covering.prefix.length) covering = entry;
    } else if (entry.prefix.startsWith(bin)) {
      under.push(entry);
    }
  }
  const candidates = covering === null ? under : [covering, ...under];
  if (candidates.length === 0) {
    return { brand: brandFromPrefix(bin), funding: 'unknown', source: 'prefix' };
  }
  const [first] = candidates;
  if (candidates.every((c) => c.brand === first.brand && c.funding === first.funding)) {
    return { brand: first.brand, funding: first.funding, source: 'table' };
  }
  const brand = candidates.every((c) => c.brand === first.brand)
    ? first.brand
    : brandFromPrefix(bin);
  return { brand, funding: 'unknown', source: 'prefix' };
}
