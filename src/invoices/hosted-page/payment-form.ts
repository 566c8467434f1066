/**
 * The hosted page's payment form, as posted (application/x-www-form-urlencoded). Pure: the
 * time is passed in for the card's expiration. Errors are ValidationErrors whose messages
 * the page shows; a card or account number is never part of a message.
 */
import {
  maskedAccount,
  maskedCard,
  parseAccountNumber,
  parseCardNumber,
  parseCvc,
  parseExpirationDate,
  parseRoutingNumber,
} from '../../gateway/payment-details/payment-details';
import { ValidationError } from '../../platform/errors/errors';
import { MoneyFormat } from '../../platform/money/currency';

export type PaymentDetails =
  | {
      kind: 'card';
      number: string;
      expiration: string;
      cvc: string | null;
      name: string;
      postalCode: string;
      masked: string;
    }
  | {
      kind: 'ach';
      routingNumber: string;
      accountNumber: string;
      accountType: 'checking' | 'savings';
      name: string;
      masked: string;
    };

export interface PaymentForm {
  nonce: string;
  /** Minor units typed by the customer; null when the form has no amount (pay all that is due). */
  amount: number | null;
  details: PaymentDetails;
}

/** The nonce alone, read first: it decides whether this submission was already handled. */
export function formNonce(form: Record<string, string>): string {
  const nonce = form.nonce ?? '';
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) {
    throw new ValidationError('form', 'this payment form has expired; please reload the page');
  }
  return nonce;
}

function field(form: Record<string, string>, name: string): string {
  return (form[name] ?? '').trim();
}

export function parsePaymentForm(
  form: Record<string, string>,
  format: MoneyFormat,
  allowedMethods: readonly string[],
  now: Date,
): PaymentForm {
  const nonce = formNonce(form);
  const method = field(form, 'method');
  if ((method !== 'card' && method !== 'ach') || !allowedMethods.includes(method)) {
    throw new ValidationError('method', 'this payment method is not accepted for this invoice');
  }
  let amount: number | null = null;
  if (form.amount !== undefined) {
    amount = format.parse(form.amount);
    if (amount === null || amount <= 0) {
      throw new ValidationError(
        'amount',
        `enter the amount to pay, like ${format.plain(25 * 10 ** format.minorUnits)}`,
      );
    }
  }
  // The account holder's name is required for a bank debit; the name on a card is optional.
  const name = field(form, 'name');
  if (name.length > 100 || (method === 'ach' && name === '')) {
    throw new ValidationError(
      'name',
      method === 'ach' ? 'enter the account holder name' : 'is too long',
    );
  }
  if (method === 'card') {
    const number = parseCardNumber(field(form, 'card_number').replace(/[\s-]/g, ''), 'card number');
    // `expiration_date` is the spec's name for the same field.
    const expiration = field(form, 'expiration') || field(form, 'expiration_date');
    const { month, year } = parseExpirationDate(expiration, 'expiration date', now);
    const cvc = parseCvc(field(form, 'cvc'), 'CVC');
    const postalCode = field(form, 'postal_code');
    if (postalCode.length > 16 || (postalCode !== '' && !/^[A-Za-z0-9 -]+$/.test(postalCode))) {
      throw new ValidationError('postal code', 'must be letters, digits, spaces or "-"');
    }
    return {
      nonce,
      amount,
      details: {
        kind: 'card',
        number,
        expiration: `${String(month).padStart(2, '0')}/${String(year % 100).padStart(2, '0')}`,
        cvc,
        name,
        postalCode,
        masked: maskedCard(number),
      },
    };
  }
  const routingNumber = parseRoutingNumber(field(form, 'routing_number'), 'routing number');
  const accountNumber = parseAccountNumber(
    field(form, 'account_number').replace(/[\s-]/g, ''),
    'account number',
  );
  const accountType = field(form, 'account_type') || 'checking';
  if (accountType !== 'checking' && accountType !== 'savings') {
    throw new ValidationError('account type', 'must be checking or savings');
  }
  return {
    nonce,
    amount,
    details: {
      kind: 'ach',
      routingNumber,
      accountNumber,
      accountType,
      name,
      masked: maskedAccount(accountNumber),
    },
  };
}
