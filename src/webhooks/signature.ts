import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature (docs/webhooks.md):
 *
 *   Rebill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=...]
 *
 * keyed with the endpoint's secret (the whole `whsec_...` string, UTF-8). The timestamp is
 * inside the signed text, so a receiver can refuse old deliveries (replays of a captured
 * request) by comparing it with its own clock; each attempt is signed afresh with the time it
 * is sent. During a secret rotation's grace period there is one v1 per secret, newest first.
 */
export const SIGNATURE_HEADER = 'Rebill-Signature';

/** What receivers should accept: Rebill signs with the send time, so 5 minutes covers clock skew. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signatureHex(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

export function signatureHeader(
  secrets: readonly string[],
  timestamp: number,
  rawBody: string,
): string {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new RangeError('the signature timestamp must be a positive whole number of seconds');
  }
  if (secrets.length === 0) throw new RangeError('a signature needs at least one secret');
  return [
    `t=${timestamp}`,
    ...secrets.map((s) => `v1=${signatureHex(s, timestamp, rawBody)}`),
  ].join(',');
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * The receiver's check, as docs/webhooks.md shows it in Node: parse the header, refuse a
 * timestamp outside the tolerance, and compare each v1 in constant time.
 */
export function verifySignature(
  header: string,
  rawBody: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
  if (t === undefined || !/^\d+$/.test(t)) return { ok: false, reason: 'no timestamp' };
  const timestamp = Number(t);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'timestamp outside the tolerance' };
  }
  const expected = Buffer.from(signatureHex(secret, timestamp, rawBody), 'hex');
  const match = signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true, timestamp } : { ok: false, reason: 'no matching signature' };
}
