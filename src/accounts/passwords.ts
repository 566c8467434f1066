import { hash, verify } from '@node-rs/argon2';
import { ValidationError } from '../platform/errors/errors';

/**
 * Passwords are hashed with argon2id (OWASP's minimum: 19 MiB, 2 iterations, 1 lane; the
 * library's defaults) and never stored, logged or returned in any other form.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function passwordMatches(stored: string, candidate: string): Promise<boolean> {
  try {
    return await verify(stored, candidate);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when the username does not exist, so that
 * a failed login takes as long whether or not the user exists.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hash(`decoy-${Math.random()}-Aa1!`);
  return decoy;
}

/** Spec (Change Password): 8–64 characters with an uppercase letter, a digit and a special character. */
export function assertPasswordPolicy(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'is required: a string');
  const length = [...value].length;
  if (length < 8 || length > 64) throw new ValidationError(field, 'must be 8 to 64 characters');
  if (!/\p{Lu}/u.test(value))
    throw new ValidationError(field, 'must contain an uppercase character');
  if (!/\p{Nd}/u.test(value)) throw new ValidationError(field, 'must contain a number');
  if (!/[^\p{L}\p{Nd}]/u.test(value))
    throw new ValidationError(field, 'must contain a special character (not a letter or digit)');
  return value;
}
