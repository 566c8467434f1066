import {
  cardTypeOf,
  expirationMmYy,
  expirationVaultForm,
  maskedAccount,
  maskedCard,
  parseCardNumber,
  parseExpirationDate,
} from './payment-details';

const NOW = new Date('2026-03-15T12:00:00Z');

describe('payment details', () => {
  it('accepts a Luhn-valid number and refuses others without echoing them', () => {
    expect(parseCardNumber('4111111111111111', 'number')).toBe('4111111111111111');
    for (const bad of [
      '4111111111111112',
      '4111-1111-1111-1111',
      '4111',
      '41111111111111111111',
      '',
    ]) {
      let message = '';
      try {
        parseCardNumber(bad, 'number');
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^invalid number: /);
      if (bad.length > 4) expect(message).not.toContain(bad);
    }
  });

  it('reads MM/YY, MMYY and MM/YYYY; the current month is still good, the last one is not', () => {
    expect(parseExpirationDate('03/26', 'exp', NOW)).toEqual({ month: 3, year: 2026 });
    expect(parseExpirationDate('0326', 'exp', NOW)).toEqual({ month: 3, year: 2026 });
    expect(parseExpirationDate('12/2030', 'exp', NOW)).toEqual({ month: 12, year: 2030 });
    expect(() => parseExpirationDate('02/26', 'exp', NOW)).toThrow('invalid exp: is in the past');
    expect(() => parseExpirationDate('00/30', 'exp', NOW)).toThrow(/month outside 01 to 12/);
    expect(() => parseExpirationDate('1/30', 'exp', NOW)).toThrow(/must be "MM\/YY" or "MMYY"/);
  });

  it('detects brands from the BIN', () => {
    expect(cardTypeOf('4111111111111111')).toBe('visa');
    expect(cardTypeOf('5555555555554444')).toBe('mastercard');
    expect(cardTypeOf('2221000000000009')).toBe('mastercard');
    expect(cardTypeOf('378282246310005')).toBe('amex');
    expect(cardTypeOf('6011111111111117')).toBe('discover');
    expect(cardTypeOf('3530111333300000')).toBe('unknown');
  });

  it('masks as the spec shows numbers', () => {
    expect(maskedCard('4111111111111111')).toBe('411111******1111');
    expect(maskedCard('378282246310005')).toBe('378282*****0005');
    expect(maskedAccount('123456789')).toBe('*****6789');
    expect(expirationMmYy(3, 2031)).toBe('03/31');
    expect(expirationVaultForm(2, 2028)).toBe('2028-02-29T00:00:00Z');
    expect(expirationVaultForm(12, 2020)).toBe('2020-12-31T00:00:00Z');
  });
});
