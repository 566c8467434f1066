import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuv'; // base32hex, like the spec's 20-character ids

const ID_POOL = Buffer.allocUnsafe(4080);
let poolOffset = ID_POOL.length;

/** A random 20-character lowercase id shaped like the spec's ids ("b89227ij8m0nuanr1tk0"). */
export function newId(): string {
  // Ids are drawn from a pool of random bytes refilled 4 KiB at a time (as randomUUID does):
  // one call into the CSPRNG per 204 ids instead of one per id (a billing batch makes
  // thousands). Secrets never come from this pool (newSecretToken).
  if (poolOffset + 20 > ID_POOL.length) {
    randomFillSync(ID_POOL);
    poolOffset = 0;
  }
  let out = '';
  for (let i = poolOffset; i < poolOffset + 20; i++) out += ALPHABET[ID_POOL[i] & 31];
  poolOffset += 20;
  return out;
}

/** A random url-safe token with 256 bits of entropy (API keys, hosted page tokens). */
export function newSecretToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
