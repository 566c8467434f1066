import {
  asValidation,
  optionalBoolean,
  optionalCents,
  optionalEmail,
  optionalId,
  optionalInteger,
  optionalLocalDate,
  optionalObject,
  optionalOneOf,
  optionalQueryInteger,
  optionalString,
  optionalText,
  readPaging,
  refuseUnknownFields,
  requiredOneOf,
  requiredString,
} from './input';
import { requireCents } from '../../billing-calc/money';

describe('the input kit', () => {
  it('reads null and a missing value alike as "not given": undefined', () => {
    for (const absent of [undefined, null]) {
      expect(optionalString(absent, 'f')).toBeUndefined();
      expect(optionalText(absent, 'f', 10)).toBeUndefined();
      expect(optionalId(absent, 'f')).toBeUndefined();
      expect(optionalBoolean(absent, 'f')).toBeUndefined();
      expect(optionalCents(absent, 'f')).toBeUndefined();
      expect(optionalInteger(absent, 'f', 0, 9)).toBeUndefined();
      expect(optionalOneOf(absent, 'f', ['a'])).toBeUndefined();
      expect(optionalEmail(absent, 'f')).toBeUndefined();
      expect(optionalLocalDate(absent, 'f')).toBeUndefined();
      expect(optionalObject(absent, 'f')).toBeUndefined();
    }
    expect(() => requiredString(null, 'name')).toThrow('invalid name: is required');
    expect(() => requiredOneOf(undefined, 'kind', ['a', 'b'])).toThrow(
      'invalid kind: is required: one of "a", "b"',
    );
  });

  it('counts "" as not given for ids, choices and dates, and as given for plain strings', () => {
    expect(optionalId('  ', 'id')).toBeUndefined();
    expect(optionalId(' c1 ', 'id')).toBe('c1');
    expect(optionalOneOf('', 'kind', ['a'])).toBeUndefined();
    expect(optionalLocalDate('', 'date')).toBeUndefined();
    expect(optionalString('', 'note')).toBe('');
    expect(() => requiredString(' ', 'name')).toThrow('invalid name: is required');
  });

  it('trims strings unless told not to; free text is kept as given', () => {
    expect(optionalString(' a ', 'f')).toBe('a');
    expect(optionalString(' a ', 'f', { trim: false })).toBe(' a ');
    expect(optionalText(' a ', 'f', 10)).toBe(' a ');
    expect(() => optionalText('x'.repeat(11), 'name', 10)).toThrow(
      'invalid name: must be at most 10 characters',
    );
  });

  it('names the field and the problem, never the rejected value', () => {
    const card = '4111111111111111';
    const problems: [() => unknown, string][] = [
      [() => optionalCents(card, 'amount'), 'invalid amount: must be a whole number of cents'],
      [() => optionalBoolean(card, 'flag'), 'invalid flag: must be true or false'],
      [() => optionalObject(card, 'payment_method'), 'invalid payment_method: must be an object'],
      [() => optionalOneOf(card, 'type', ['card']), 'invalid type: must be one of "card"'],
      [() => optionalEmail(card, 'email'), 'invalid email: must be a valid email address'],
      [() => optionalLocalDate(card, 'start_date'), 'invalid start_date: must be a date'],
      [() => optionalInteger(card, 'limit', 0, 100), 'invalid limit: must be an integer from 0'],
      [() => optionalString(42, 'name'), 'invalid name: must be a string'],
    ];
    for (const [read, message] of problems) {
      expect(read).toThrow(message);
      expect(read).not.toThrow(card);
    }
  });

  it('bounds cents by MAX_CENTS unless the caller gives another maximum', () => {
    expect(optionalCents(99_999_999_999, 'amount')).toBe(99_999_999_999);
    expect(() => optionalCents(100_000_000_000, 'amount')).toThrow(
      'invalid amount: must be at most 99999999999 cents',
    );
    expect(optionalCents(100_000_000_000, 'amount', 999_999_999_999)).toBe(100_000_000_000);
    for (const bad of [12.5, -1, '1000']) {
      expect(() => optionalCents(bad, 'amount')).toThrow(/invalid amount: must be a whole number/);
    }
  });

  it('refuses an email a mail header could not carry', () => {
    expect(optionalEmail(' info@somesite.com ', 'email')).toBe('info@somesite.com');
    for (const bad of ['x@', 'a b@c.de', 'a@b.c>d', '"a"@b.cd']) {
      expect(() => optionalEmail(bad, 'email')).toThrow(/invalid email/);
    }
  });

  it('refuses unknown fields by their path', () => {
    expect(() => refuseUnknownFields({ a: 1, fly: true }, ['a'], 'permissions.')).toThrow(
      'invalid permissions.fly: is not a known field',
    );
  });

  it('reads whole numbers from the query string only', () => {
    expect(optionalQueryInteger('12', 'count', 1, 120)).toBe(12);
    expect(optionalQueryInteger(undefined, 'count', 1, 120)).toBeUndefined();
    for (const bad of ['0', '121', '1.5', '-1', 'ten', ['1', '2']]) {
      expect(() => optionalQueryInteger(bad, 'count', 1, 120)).toThrow(/invalid count/);
    }
    expect(readPaging({}, 20, 100)).toEqual({ limit: 20, offset: 0 });
    expect(readPaging({ limit: '5', offset: '10' }, null, 100)).toEqual({ limit: 5, offset: 10 });
  });

  it('turns the core’s input errors into a 400 naming the field once', () => {
    expect(() => asValidation(() => requireCents(1.5, 'amount'))).toThrow(
      'amount must be an integer number of cents (100 = 1.00), got 1.5',
    );
  });
});
