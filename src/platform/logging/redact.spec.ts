import { luhnValid, maskCardNumbersInText, redactSensitive } from './redact';

describe('redactSensitive', () => {
  it('masks card, account and routing numbers and hides CVV wherever they sit', () => {
    const logged = redactSensitive({
      body: {
        payment_method: {
          card: { number: '4111111111111111', cvc: '123', expiration_date: '12/30' },
          ach: { account_number: '1234567890', routing_number: '021000021' },
        },
      },
      list: [{ card_number: '5555555555554444' }],
    });
    const text = JSON.stringify(logged);
    expect(text).not.toContain('4111111111111111');
    expect(text).not.toContain('5555555555554444');
    expect(text).not.toContain('1234567890');
    expect(text).not.toContain('021000021');
    expect(text).not.toContain('"123"');
    expect(text).toContain('************1111');
    expect(text).toContain('12/30');
  });

  it('masks a card number inside free text, such as an error message', () => {
    expect(maskCardNumbersInText('card 4005 5192 0000 0004 declined')).toBe(
      'card ************0004 declined',
    );
  });

  it('leaves long digit runs that are not card numbers alone', () => {
    expect(maskCardNumbersInText('order 1234567890123')).toBe('order 1234567890123');
  });

  it('checks Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});
