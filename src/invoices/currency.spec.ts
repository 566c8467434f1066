import { formatAmount, formatMoney, parseAmount } from './currency';

describe('currency formatting', () => {
  it('places the decimal point by the currency exponent', () => {
    expect(formatAmount(123456, 'USD')).toBe('1,234.56');
    expect(formatAmount(5, 'USD')).toBe('0.05');
    expect(formatAmount(0, 'USD')).toBe('0.00');
    expect(formatAmount(123456, 'JPY')).toBe('123,456');
    expect(formatAmount(1234, 'KWD')).toBe('1.234');
  });

  it('writes a symbol when it knows one, else the code', () => {
    expect(formatMoney(120000, 'USD')).toBe('$1,200.00');
    expect(formatMoney(-250, 'EUR')).toBe('-€2.50');
    expect(formatMoney(990, 'SEK')).toBe('9.90 SEK');
  });
});

describe('parseAmount', () => {
  it.each([
    ['12', 'USD', 1200],
    ['12.5', 'USD', 1250],
    ['1,234.56', 'USD', 123456],
    ['$0.01', 'USD', 1],
    ['500', 'JPY', 500],
  ])('reads %s %s as %d minor units', (text, currency, expected) => {
    expect(parseAmount(text, currency)).toBe(expected);
  });

  it.each([['12.345'], ['abc'], [''], ['-5'], ['1e5']])('refuses %s', (text) => {
    expect(parseAmount(text, 'USD')).toBeNull();
  });

  it('refuses decimals in a currency without minor units', () => {
    expect(parseAmount('5.5', 'JPY')).toBeNull();
  });
});
