/** Reading vault request bodies (spec: Customer Vault). Pure; errors name the field. */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../platform/errors/errors';
import {
  Body,
  isAbsent,
  optionalEmail,
  optionalObject,
  optionalOneOf,
  optionalString,
  requiredOneOf,
} from '../../platform/http/input';
import {
  ACH_ACCOUNT_TYPES,
  ACH_SEC_CODES,
  AchDetails,
  CardDetails,
  parseAccountNumber,
  parseCard,
  parseCardNumber,
  parseExpirationDate,
  parseRoutingNumber,
  cardTypeOf,
} from '../payment-details/payment-details';
import { parseApplePay, parseGooglePay, WalletCard } from '../wallets/wallet-tokens';
import { ADDRESS_FIELDS, AddressField } from './vault.entities';

export type AddressInput = Record<AddressField, string>;

export const CUSTOMER_FLAGS = ['surcharge_exempt'] as const;
export const PAYMENT_METHOD_FLAGS = [
  'surcharge_exempt',
  'applepay',
  'closed_contact',
  'contact',
  'locked_security',
  'locked_stop_recurring',
  // Rebill: a card stored from a Google Pay token (the spec has "applepay" only).
  'googlepay',
] as const;

/** A custom customer id: 1 to 40 letters and digits (spec), never "search" (a route). */
export function parseCustomerId(value: unknown): string | null {
  const id = optionalString(value, 'id', {
    max: 40,
    pattern: /^[A-Za-z0-9]+$/,
    patternText: 'letters and digits only (a-z, A-Z, 0-9)',
  });
  if (id === undefined || id === '') return null;
  if (id.toLowerCase() === 'search') throw new ValidationError('id', '"search" is reserved');
  return id;
}

const ADDRESS_LIMITS: Record<AddressField, number> = {
  first_name: 50,
  last_name: 50,
  company: 100,
  line_1: 100,
  line_2: 100,
  city: 50,
  state: 20,
  postal_code: 20,
  country: 2,
  email: 254,
  phone: 20,
  fax: 20,
};

/** An address body; absent fields are "" (spec default). */
export function parseAddress(value: unknown, field: string): AddressInput {
  const obj = optionalObject(value, field) ?? {};
  const out = {} as AddressInput;
  for (const key of ADDRESS_FIELDS) {
    const name = `${field}.${key}`;
    const raw =
      key === 'email'
        ? optionalEmail(obj[key] === '' ? null : obj[key], name)
        : (optionalString(obj[key], name, { max: ADDRESS_LIMITS[key] }) ?? null);
    out[key] = raw ?? '';
  }
  if (!/^([A-Za-z]{2})?$/.test(out.country)) {
    throw new ValidationError(`${field}.country`, 'must be a 2-letter country code ("US")');
  }
  out.country = out.country.toUpperCase();
  out.state = out.state.toUpperCase();
  return out;
}

/** The spec's address `hash`: equal addresses hash alike, so billing = shipping is stored once. */
export function addressHash(address: AddressInput): string {
  const text = ADDRESS_FIELDS.map((k) => address[k]).join('\u0000');
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

export function parseFlags<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T[] | null {
  if (isAbsent(value)) return null;
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array of strings');
  const out: T[] = [];
  value.forEach((v, i) => {
    const flag = optionalOneOf(v, `${field}[${i}]`, allowed);
    if (flag !== undefined && !out.includes(flag)) out.push(flag);
  });
  return out;
}

export function parseAch(body: Body, prefix: string): AchDetails {
  return {
    routingNumber: parseRoutingNumber(body.routing_number, `${prefix}.routing_number`),
    accountNumber: parseAccountNumber(body.account_number, `${prefix}.account_number`),
    accountType: requiredOneOf(body.account_type, `${prefix}.account_type`, ACH_ACCOUNT_TYPES),
    secCode: requiredOneOf(body.sec_code, `${prefix}.sec_code`, ACH_SEC_CODES),
  };
}

export type PaymentInput =
  | { kind: 'card'; card: CardDetails }
  | { kind: 'ach'; ach: AchDetails }
  | { kind: 'token'; token: string }
  | ({ kind: 'wallet' } & WalletCard);

/** `default_payment`: exactly one of card, ach, token, apple_pay or google_pay_token. */
export function parseDefaultPayment(value: unknown, now: Date): PaymentInput | null {
  const obj = optionalObject(value, 'default_payment');
  if (obj === undefined) return null;
  const present = ['card', 'ach', 'token', 'apple_pay', 'google_pay_token'].filter(
    (k) => !isAbsent(obj[k]),
  );
  if (present.length === 0) return null;
  if (present.length > 1) {
    throw new ValidationError(
      'default_payment',
      'must contain only one of card, ach, token, apple_pay or google_pay_token',
    );
  }
  const kind = present[0];
  if (kind === 'card') {
    const card = optionalObject(obj.card, 'default_payment.card') ?? {};
    return {
      kind: 'card',
      card: parseCard(
        { number: card.number, expiration_date: card.expiration_date },
        'default_payment.card',
        now,
      ),
    };
  }
  if (kind === 'ach') {
    return {
      kind: 'ach',
      ach: parseAch(optionalObject(obj.ach, 'default_payment.ach') ?? {}, 'default_payment.ach'),
    };
  }
  if (kind === 'token')
    return { kind: 'token', token: parseToken(obj.token, 'default_payment.token') };
  if (kind === 'apple_pay')
    return { kind: 'wallet', ...parseApplePay(obj.apple_pay, 'default_payment.apple_pay', now) };
  return {
    kind: 'wallet',
    ...parseGooglePay(obj.google_pay_token, 'default_payment.google_pay_token', now),
  };
}

export function parseToken(value: unknown, field: string): string {
  const token = optionalString(value, field, { max: 200 });
  if (token === undefined || token === '') throw new ValidationError(field, 'is required');
  return token;
}

/** A card update: each of number, expiration date and flags is optional. */
export function parseCardUpdate(
  body: Body,
  now: Date,
): {
  number: string | null;
  expiration: { month: number; year: number } | null;
  cardType: string | null;
} {
  const number =
    isAbsent(body.number) || body.number === '' ? null : parseCardNumber(body.number, 'number');
  const expiration =
    isAbsent(body.expiration_date) || body.expiration_date === ''
      ? null
      : parseExpirationDate(body.expiration_date, 'expiration_date', now);
  return { number, expiration, cardType: number === null ? null : cardTypeOf(number) };
}
