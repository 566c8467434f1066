import { bigintCents } from './bigint.transformer';

describe('bigintCents', () => {
  it('round-trips integer cents', () => {
    expect(bigintCents.from(bigintCents.to(123456))).toBe(123456);
  });
  it('refuses fractional and unsafe values', () => {
    expect(() => bigintCents.to(1.5)).toThrow(RangeError);
    expect(() => bigintCents.to(Number.MAX_SAFE_INTEGER + 2)).toThrow(RangeError);
    expect(() => bigintCents.from('9007199254740993')).toThrow(RangeError);
  });
  it('passes null through', () => {
    expect(bigintCents.to(null)).toBeNull();
    expect(bigintCents.from(null)).toBeNull();
  });
});
