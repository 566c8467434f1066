import { requestFingerprint, stableStringify } from './stable-hash';

describe('stableStringify', () => {
  it('does not depend on key order', () => {
    expect(stableStringify({ b: 2, a: { d: [1, 2], c: null } })).toBe(
      stableStringify({ a: { c: null, d: [1, 2] }, b: 2 }),
    );
  });
  it('keeps array order significant', () => {
    expect(stableStringify([1, 2])).not.toBe(stableStringify([2, 1]));
  });
  it('tells different bodies and paths apart', () => {
    expect(requestFingerprint('POST', '/a', { x: 1 })).not.toBe(
      requestFingerprint('POST', '/a', { x: 2 }),
    );
    expect(requestFingerprint('POST', '/a', { x: 1 })).not.toBe(
      requestFingerprint('POST', '/b', { x: 1 }),
    );
  });
});
