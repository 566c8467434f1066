import { moneyFormat } from '../../platform/money/currency';

const USD = moneyFormat('USD', 'en-US');
import { ValidationError } from '../../platform/errors/errors';
import { parsePaymentForm } from './payment-form';

const now = new Date('2030-03-15T00:00:00Z');
const card = {
  nonce: 'n'.repeat(24),
  method: 'card',
  name: 'Casey Customer',
  card_number: '4111 1111 1111 1111',
  expiration: '12/31',
  cvc: '123',
  postal_code: '62701',
};

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('parsePaymentForm', () => {
  it('reads a card payment and keeps only a masked number for display', () => {
    const form = parsePaymentForm(card, USD, ['card'], now);
    expect(form).toEqual({
      nonce: 'n'.repeat(24),
      amount: null,
      details: {
        kind: 'card',
        number: '4111111111111111',
        expiration: '12/31',
        cvc: '123',
        name: 'Casey Customer',
        postalCode: '62701',
        masked: '411111******1111',
      },
    });
  });

  it('reads a bank account payment and a typed amount in the currency', () => {
    const form = parsePaymentForm(
      {
        nonce: 'n'.repeat(24),
        method: 'ach',
        name: 'Casey',
        routing_number: '021000021',
        account_number: '123456789',
        account_type: 'savings',
        amount: '1,234.50',
      },
      USD,
      ['ach'],
      now,
    );
    expect(form.amount).toBe(123450);
    expect(form.details).toMatchObject({
      kind: 'ach',
      accountType: 'savings',
      masked: '*****6789',
    });
  });

  it("takes the spec's expiration_date name, and a card without a name", () => {
    const { name: _name, expiration: _exp, ...rest } = card;
    const form = parsePaymentForm({ ...rest, expiration_date: '1231' }, USD, ['card'], now);
    expect(form.details).toMatchObject({ kind: 'card', expiration: '12/31', name: '' });
  });

  it('refuses a method the invoice does not accept', () => {
    expect(messageOf(() => parsePaymentForm(card, USD, ['ach'], now))).toMatch(/not accepted/);
  });

  it('refuses a bad card number without repeating it', () => {
    const message = messageOf(() =>
      parsePaymentForm({ ...card, card_number: '4111111111111112' }, USD, ['card'], now),
    );
    expect(message).toMatch(/Luhn/);
    expect(message).not.toContain('4111111111111112');
  });

  it('refuses an expired card, a bad amount and a missing nonce', () => {
    expect(
      messageOf(() => parsePaymentForm({ ...card, expiration: '01/30' }, USD, ['card'], now)),
    ).toMatch(/in the past/);
    expect(
      messageOf(() => parsePaymentForm({ ...card, amount: '12.345' }, USD, ['card'], now)),
    ).toMatch(/amount/);
    expect(messageOf(() => parsePaymentForm({ ...card, nonce: '' }, USD, ['card'], now))).toMatch(
      /expired/,
    );
  });
});
