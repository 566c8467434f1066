/**
 * Apple Pay and Google Pay in the sandbox. Pure: the time is passed in.
 *
 * A real gateway decrypts the wallet's payment token with the merchant's keys and finds a
 * device card number (DPAN) and a cryptogram. The sandbox does not decrypt: it checks the
 * token's shape as Apple and Google define it, and maps documented test tokens (and any
 * well-formed token, by its card network) to test DPANs, which then decide the outcome as
 * the sandbox's test cards do (docs/wallets.md). Malformed tokens are refused naming the part.
 */
import { ValidationError } from '../../platform/errors/errors';
import { Body, isAbsent, optionalObject, optionalString } from '../../platform/http/input';
import { CardDetails, cardTypeOf } from '../payment-details/payment-details';

export type Wallet = 'apple_pay' | 'google_pay';

export interface WalletCard {
  wallet: Wallet;
  card: CardDetails;
}

/** The documented sandbox tokens and the DPAN each stands for. */
export const SANDBOX_WALLET_TOKENS: Record<Wallet, Record<string, string>> = {
  apple_pay: {
    'sandbox-applepay-visa': '4111111111111111',
    'sandbox-applepay-mastercard': '5555555555554444',
    'sandbox-applepay-amex': '378282246310005',
    'sandbox-applepay-discover': '6011111111111117',
    'sandbox-applepay-declined': '4000000000000002',
  },
  google_pay: {
    'sandbox-googlepay-visa': '4111111111111111',
    'sandbox-googlepay-mastercard': '5555555555554444',
    'sandbox-googlepay-declined': '4000000000000002',
  },
};

/** A well-formed token's card network → the approving test DPAN of that network. */
const NETWORK_DPANS: Record<string, string> = {
  visa: '4111111111111111',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  discover: '6011111111111117',
};

function dpanCard(number: string, now: Date): CardDetails {
  // Device card numbers are provisioned for years; the sandbox's expire in December, 3 years on.
  return {
    number,
    expirationMonth: 12,
    expirationYear: now.getUTCFullYear() + 3,
    cardType: cardTypeOf(number),
  };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function requireBase64(obj: Body, key: string, field: string): void {
  const v = obj[key];
  if (typeof v !== 'string' || v === '' || !BASE64.test(v)) {
    throw new ValidationError(`${field}.${key}`, 'is required: base64 text');
  }
}

/**
 * Spec: default_payment.apple_pay {key_id, processor_id, temporary_token, pkpaymenttoken};
 * one of temporary_token (WalletJS) or pkpaymenttoken (Apple Pay JS) is required.
 */
export function parseApplePay(value: unknown, field: string, now: Date): WalletCard {
  const obj = optionalObject(value, field);
  if (obj === undefined) throw new ValidationError(field, 'is required');
  const keyId = optionalString(obj.key_id, `${field}.key_id`, { max: 200 });
  if (keyId === undefined || keyId === '') {
    throw new ValidationError(`${field}.key_id`, 'is required: the merchant Apple Pay id');
  }
  optionalString(obj.processor_id, `${field}.processor_id`, { max: 64 });
  const temporary = optionalString(obj.temporary_token, `${field}.temporary_token`, {
    max: 4096,
  });
  const hasPk = !isAbsent(obj.pkpaymenttoken);
  if ((temporary === undefined || temporary === '') === !hasPk) {
    throw new ValidationError(field, 'needs exactly one of temporary_token or pkpaymenttoken');
  }
  if (temporary !== undefined && temporary !== '') {
    const dpan = SANDBOX_WALLET_TOKENS.apple_pay[temporary];
    if (!dpan) {
      throw new ValidationError(
        `${field}.temporary_token`,
        'is not a token the sandbox knows: use a sandbox test token ("sandbox-applepay-visa", …) or a pkpaymenttoken',
      );
    }
    return { wallet: 'apple_pay', card: dpanCard(dpan, now) };
  }
  const pk = optionalObject(obj.pkpaymenttoken, `${field}.pkpaymenttoken`)!;
  const pf = `${field}.pkpaymenttoken`;
  const data = optionalObject(pk.paymentData, `${pf}.paymentData`);
  if (data === undefined) throw new ValidationError(`${pf}.paymentData`, 'is required');
  if (data.version !== 'EC_v1' && data.version !== 'RSA_v1') {
    throw new ValidationError(`${pf}.paymentData.version`, 'must be "EC_v1" or "RSA_v1"');
  }
  requireBase64(data, 'data', `${pf}.paymentData`);
  requireBase64(data, 'signature', `${pf}.paymentData`);
  const header = optionalObject(data.header, `${pf}.paymentData.header`);
  if (header === undefined) throw new ValidationError(`${pf}.paymentData.header`, 'is required');
  requireBase64(
    header,
    data.version === 'EC_v1' ? 'ephemeralPublicKey' : 'wrappedKey',
    `${pf}.paymentData.header`,
  );
  requireBase64(header, 'publicKeyHash', `${pf}.paymentData.header`);
  if (typeof header.transactionId !== 'string' || !/^[0-9a-fA-F]+$/.test(header.transactionId)) {
    throw new ValidationError(`${pf}.paymentData.header.transactionId`, 'is required: hex text');
  }
  const method = optionalObject(pk.paymentMethod, `${pf}.paymentMethod`);
  const network = typeof method?.network === 'string' ? method.network.toLowerCase() : '';
  const dpan = NETWORK_DPANS[network === 'americanexpress' ? 'amex' : network];
  if (!dpan) {
    throw new ValidationError(
      `${pf}.paymentMethod.network`,
      'must be one of "Visa", "MasterCard", "Amex" or "Discover"',
    );
  }
  return { wallet: 'apple_pay', card: dpanCard(dpan, now) };
}

/**
 * Spec: google_pay_token, an object or a string: Google's PaymentMethodTokenizationData
 * token ({protocolVersion, signature, signedMessage}, or that JSON as a string), or a
 * sandbox test token.
 */
export function parseGooglePay(value: unknown, field: string, now: Date): WalletCard {
  if (isAbsent(value) || value === '') throw new ValidationError(field, 'is required');
  let token: unknown = value;
  if (typeof value === 'string') {
    const dpan = SANDBOX_WALLET_TOKENS.google_pay[value.trim()];
    if (dpan) return { wallet: 'google_pay', card: dpanCard(dpan, now) };
    try {
      token = JSON.parse(value);
    } catch {
      throw new ValidationError(
        field,
        'must be a Google Pay token (JSON with protocolVersion, signature and signedMessage) or a sandbox test token ("sandbox-googlepay-visa", …)',
      );
    }
  }
  if (typeof token !== 'object' || token === null || Array.isArray(token)) {
    throw new ValidationError(field, 'must be an object or a string');
  }
  const obj = token as Body;
  if (!['ECv1', 'ECv2', 'ECv2SigningOnly'].includes(obj.protocolVersion as string)) {
    throw new ValidationError(`${field}.protocolVersion`, 'must be "ECv1" or "ECv2"');
  }
  requireBase64(obj, 'signature', field);
  if (typeof obj.signedMessage !== 'string' || obj.signedMessage === '') {
    throw new ValidationError(`${field}.signedMessage`, 'is required');
  }
  let message: Body;
  try {
    message = JSON.parse(obj.signedMessage) as Body;
  } catch {
    throw new ValidationError(`${field}.signedMessage`, 'must be JSON text');
  }
  for (const key of ['encryptedMessage', 'ephemeralPublicKey', 'tag']) {
    if (typeof message?.[key] !== 'string' || message[key] === '') {
      throw new ValidationError(`${field}.signedMessage.${key}`, 'is required');
    }
  }
  return { wallet: 'google_pay', card: dpanCard(NETWORK_DPANS.visa, now) };
}

export const WALLET_FLAG: Record<Wallet, string> = {
  apple_pay: 'applepay',
  google_pay: 'googlepay',
};
