import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuv'; // base32hex, like the spec's 20-character ids

/** A random 20-character lowercase id shaped like the spec's ids ("b89227ij8m0nuanr1tk0"). */
export function newId(): string {
  const bytes = randomBytes(20);
  let out = '';
  for (let i = 0; i < 20; i++) out += ALPHABET[bytes[i] & 31];
  return out;
}

/** A random url-safe token with 256 bits of entropy (API keys, hosted page tokens). */
export function newSecretToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
