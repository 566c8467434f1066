import { createHmac } from 'node:crypto';
import { signatureHeader, signatureHex, verifySignature } from './signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test_0123456789';
  const body = '{"id":"evt","sequence":1}';

  it('signs "<t>.<raw body>" with HMAC-SHA256 in hex', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureHex(secret, 1700000000, body)).toBe(expected);
    expect(signatureHeader([secret], 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies within the tolerance and refuses outside it', () => {
    const header = signatureHeader([secret], 1700000000, body);
    expect(verifySignature(header, body, secret, 1700000000 + 299)).toEqual({
      ok: true,
      timestamp: 1700000000,
    });
    expect(verifySignature(header, body, secret, 1700000000 + 301)).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance',
    });
  });

  it('refuses a changed body, another secret, or a changed timestamp', () => {
    const header = signatureHeader([secret], 1700000000, body);
    expect(verifySignature(header, body + ' ', secret, 1700000000).ok).toBe(false);
    expect(verifySignature(header, body, 'whsec_other', 1700000000).ok).toBe(false);
    const moved = header.replace('t=1700000000', 't=1700000001');
    expect(verifySignature(moved, body, secret, 1700000000).ok).toBe(false);
  });

  it('carries one v1 per secret during a rotation; either secret verifies', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], 1700000000, body);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(header, body, 'whsec_new', 1700000000).ok).toBe(true);
    expect(verifySignature(header, body, 'whsec_old', 1700000000).ok).toBe(true);
  });

  it('refuses to sign without a usable timestamp', () => {
    expect(() => signatureHeader([secret], 0, body)).toThrow(RangeError);
    expect(() => signatureHeader([secret], 1.5, body)).toThrow(RangeError);
    expect(() => signatureHeader([], 1700000000, body)).toThrow(RangeError);
  });
});
