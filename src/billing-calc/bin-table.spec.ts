import { BinTableEntry, brandFromPrefix, lookupBin, lookupBinIn, requireBin } from './bin-table';

describe('lookupBin', () => {
  it.each([
    ['4111111111111111', 'visa', 'debit'],
    ['4005519200000004', 'visa', 'credit'],
    ['4000000000000002', 'visa', 'credit'],
    ['4000056655665556', 'visa', 'debit'],
    ['5555555555554444', 'mastercard', 'credit'],
    ['517246700', 'mastercard', 'credit'],
    ['5200828282828210', 'mastercard', 'debit'],
    ['5105105105105100', 'mastercard', 'prepaid'],
    ['378282246310005', 'amex', 'credit'],
    ['6011111111111117', 'discover', 'credit'],
  ])('knows the test card %s as %s %s', (bin, brand, funding) => {
    expect(lookupBin(bin)).toEqual({ brand, funding, source: 'table' });
  });

  it('matches on the first 6 digits as well as on the whole number', () => {
    expect(lookupBin('411111').funding).toBe('debit');
    expect(lookupBin('517246').funding).toBe('credit');
  });

  it('resolves a six-digit BIN when every entry under it agrees (400551 is the sandbox Visa credit card)', () => {
    expect(lookupBin('400551')).toEqual({ brand: 'visa', funding: 'credit', source: 'table' });
    expect(lookupBin('4005519')).toEqual({ brand: 'visa', funding: 'credit', source: 'table' });
    expect(lookupBin('400551')).toEqual(lookupBin('4005519200000004'));
  });

  it('leaves the funding unknown when the entries under a short BIN disagree, keeping a shared brand', () => {
    const table: BinTableEntry[] = [
      { prefix: '45678901', brand: 'visa', funding: 'credit', note: '' },
      { prefix: '45678902', brand: 'visa', funding: 'debit', note: '' },
      { prefix: '5123', brand: 'mastercard', funding: 'credit', note: '' },
      { prefix: '51234567', brand: 'mastercard', funding: 'prepaid', note: '' },
      { prefix: '52345678', brand: 'mastercard', funding: 'credit', note: '' },
      { prefix: '52345679', brand: 'mastercard', funding: 'credit', note: '' },
    ];
    expect(lookupBinIn(table, '456789')).toEqual({
      brand: 'visa',
      funding: 'unknown',
      source: 'prefix',
    });
    // The whole number picks one entry.
    expect(lookupBinIn(table, '4567890212345678').funding).toBe('debit');
    // The covering 5123 (credit) stands for the rest of 512345's range, which holds a prepaid entry.
    expect(lookupBinIn(table, '512345').funding).toBe('unknown');
    expect(lookupBinIn(table, '512399').funding).toBe('credit');
    // Entries that agree resolve.
    expect(lookupBinIn(table, '523456')).toEqual({
      brand: 'mastercard',
      funding: 'credit',
      source: 'table',
    });
  });

  it('gives the brand but unknown funding for a BIN outside the table', () => {
    expect(lookupBin('4242424242424242')).toEqual({
      brand: 'visa',
      funding: 'unknown',
      source: 'prefix',
    });
  });
});

describe('brandFromPrefix', () => {
  it.each([
    ['424242', 'visa'],
    ['510000', 'mastercard'],
    ['550000', 'mastercard'],
    ['222100', 'mastercard'],
    ['272099', 'mastercard'],
    ['272100', 'unknown'],
    ['340000', 'amex'],
    ['370000', 'amex'],
    ['601100', 'discover'],
    ['650000', 'discover'],
    ['644000', 'discover'],
    ['649999', 'discover'],
    ['643999', 'unknown'],
    ['560000', 'unknown'],
    ['356600', 'unknown'],
  ])('%s is %s', (bin, brand) => {
    expect(brandFromPrefix(bin)).toBe(brand);
  });
});

describe('requireBin', () => {
  it.each(['12345', '12345678901234567890', '4111-1111', 4111111111111111, ''])(
    'rejects %j without echoing it',
    (bin) => {
      expect(() => requireBin(bin, 'cc_bin')).toThrow(
        'cc_bin must be 6 to 19 digits of a card number',
      );
    },
  );

  it('accepts 6 to 19 digits', () => {
    expect(requireBin('411111', 'cc_bin')).toBe('411111');
    expect(requireBin('4111111111111111111', 'cc_bin')).toBe('4111111111111111111');
  });
});
