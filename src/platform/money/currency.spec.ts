import fc from 'fast-check';
import {
  activeCurrencies,
  canonicalLocale,
  isActiveCurrency,
  minorToDecimalString,
  minorUnits,
  moneyFormat,
} from './currency';

// Intl separates some currency symbols with a no-break space; compare with plain spaces.
const spaced = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('ISO 4217 currencies', () => {
  it('knows every active code with its minor units, not a hand-picked few', () => {
    const codes = activeCurrencies();
    expect(codes.length).toBeGreaterThan(150);
    expect(minorUnits('USD')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('CLF')).toBe(4);
    expect(minorUnits('UYW')).toBe(4);
    for (const code of ['XOF', 'XAF', 'MNT', 'ZWG', 'SLE', 'KES', 'UZS', 'HUF']) {
      expect(isActiveCurrency(code)).toBe(true);
    }
  });

  it('leaves out codes that are not money (gold, testing, no currency)', () => {
    for (const code of ['XAU', 'XAG', 'XTS', 'XXX', 'XDR'])
      expect(isActiveCurrency(code)).toBe(false);
    expect(isActiveCurrency('DEM')).toBe(false);
    expect(isActiveCurrency('usd')).toBe(false);
  });

  it('formats every active code in several locales with exactly its minor units', () => {
    for (const code of activeCurrencies()) {
      const units = minorUnits(code);
      for (const locale of ['en-US', 'de-DE', 'ja-JP', 'ar-EG']) {
        const plain = moneyFormat(code, locale).plain(10 ** units + 1);
        expect(moneyFormat(code, locale).parse(plain)).toBe(10 ** units + 1);
      }
    }
  });
});

describe('moneyFormat', () => {
  it.each([
    [123456, 'USD', 'en-US', '$1,234.56'],
    [5, 'USD', 'en-US', '$0.05'],
    [-250, 'USD', 'en-US', '-$2.50'],
    [123456, 'EUR', 'de-DE', '1.234,56 €'],
    [123456, 'JPY', 'en-US', '¥123,456'],
    [123456, 'JPY', 'ja-JP', '￥123,456'],
    [1234, 'KWD', 'en-US', 'KWD 1.234'],
    [990, 'SEK', 'sv-SE', '9,90 kr'],
    [123456789, 'INR', 'en-IN', '₹12,34,567.89'],
    // HUF has 2 minor units in ISO 4217, though CLDR shows none: the page never hides them.
    [1234567, 'HUF', 'hu-HU', '12 345,67 Ft'],
  ])('%d %s in %s reads %s', (minor, currency, locale, expected) => {
    expect(spaced(moneyFormat(currency, locale).money(minor))).toBe(spaced(expected));
  });

  it('never rounds: an amount near the safe-integer limit keeps every digit', () => {
    expect(moneyFormat('USD').plain(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
  });

  it('places the decimal point by digits, for any amount and exponent', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 4 }), (m, e) => {
        const text = minorToDecimalString(m, e);
        const digits = text.replace(/[-.]/g, '');
        expect(Number(digits)).toBe(Math.abs(m));
        expect(text.includes('.')).toBe(e > 0);
      }),
    );
  });
});

describe('parsing what a customer typed', () => {
  it.each([
    ['12', 'USD', 'en-US', 1200],
    ['12.5', 'USD', 'en-US', 1250],
    ['1,234.56', 'USD', 'en-US', 123456],
    ['$0.01', 'USD', 'en-US', 1],
    ['500', 'JPY', 'ja-JP', 500],
    ['1.234', 'KWD', 'en-US', 1234],
    ['1.234,56', 'EUR', 'de-DE', 123456],
    ['12,5', 'EUR', 'de-DE', 1250],
    ['1234,56 €', 'EUR', 'de-DE', 123456],
    ['1 234,56', 'EUR', 'fr-FR', 123456],
  ])('reads %s (%s, %s) as %d minor units', (text, currency, locale, expected) => {
    expect(moneyFormat(currency, locale).parse(text)).toBe(expected);
  });

  it.each([
    ['12.345', 'USD', 'en-US'],
    ['abc', 'USD', 'en-US'],
    ['', 'USD', 'en-US'],
    ['-5', 'USD', 'en-US'],
    ['1e5', 'USD', 'en-US'],
    ['5.5', 'JPY', 'en-US'],
    ['12.5', 'EUR', 'de-DE'],
    ['1,23,4', 'USD', 'en-US'],
  ])('refuses %s (%s, %s)', (text, currency, locale) => {
    expect(moneyFormat(currency, locale).parse(text)).toBeNull();
  });

  it('reads back what it writes, in every locale and exponent', () => {
    const locales = ['en-US', 'de-DE', 'fr-FR', 'ja-JP', 'de-CH', 'en-IN', 'ar-EG', 'hi-IN'];
    const currencies = ['USD', 'JPY', 'KWD', 'EUR', 'CLF'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e13 }),
        fc.constantFrom(...locales),
        fc.constantFrom(...currencies),
        (minor, locale, currency) => {
          const f = moneyFormat(currency, locale);
          expect(f.parse(f.plain(minor))).toBe(minor);
        },
      ),
    );
  });
});

describe('canonicalLocale', () => {
  it('accepts BCP 47 tags Intl knows, in canonical form', () => {
    expect(canonicalLocale('de-de')).toBe('de-DE');
    expect(canonicalLocale('en-US')).toBe('en-US');
    expect(canonicalLocale('zh-Hans-CN')).toBe('zh-Hans-CN');
  });
  it('refuses what is not a locale', () => {
    expect(canonicalLocale('not a locale')).toBeNull();
    expect(canonicalLocale('')).toBeNull();
    expect(canonicalLocale('xx-ZZ-123456789')).toBeNull();
  });
});
