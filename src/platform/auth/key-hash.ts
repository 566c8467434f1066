import { createHash } from 'node:crypto';

/** Keys carry 256 bits of randomness, so a plain SHA-256 is a safe and fast lookup hash. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function maskKey(key: string): string {
  if (key.length <= 12) return `${key.slice(0, 4)}…`;
  return `${key.slice(0, 8)}…${key.slice(-4)}`;
}

/** `Authorization: <key>` or `Authorization: Bearer <key>`. */
export function keyFromAuthorizationHeader(header: string | undefined): string | null {
  if (!header) return null;
  const value = header.trim();
  const match = /^Bearer\s+(.+)$/i.exec(value);
  const key = (match ? match[1] : value).trim();
  return key.length > 0 ? key : null;
}
