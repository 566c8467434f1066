/**
 * When a vaulted card is announced as expiring (docs/webhooks.md, payment_method.expiring).
 * A card with expiration MM/YY is valid through the last day of that month, so it expires at
 * the start of the next month (UTC). It is announced once it is EXPIRY_NOTICE_DAYS or less
 * from expiring and has not expired yet.
 */
export const EXPIRY_NOTICE_DAYS = 30;

export interface ExpirationMonth {
  year: number;
  month: number; // 1-12
}

/** The instant a card of that month expires: 00:00 UTC on the first of the next month. */
export function expiresAt({ year, month }: ExpirationMonth): Date {
  return new Date(Date.UTC(year, month, 1));
}

/** The expiration months whose cards are to be announced at `now` (this month, perhaps the next). */
export function monthsToAnnounce(now: Date, noticeDays = EXPIRY_NOTICE_DAYS): ExpirationMonth[] {
  const out: ExpirationMonth[] = [];
  for (let ahead = 0; ahead < 3; ahead++) {
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
    const m = { year: first.getUTCFullYear(), month: first.getUTCMonth() + 1 };
    const expiry = expiresAt(m).getTime();
    if (expiry > now.getTime() && expiry - noticeDays * 86_400_000 <= now.getTime()) out.push(m);
  }
  return out;
}

/** Once per card and expiration: a new expiration date is announced again in its turn. */
export function expiryDedupeKey(paymentMethodId: string, m: ExpirationMonth): string {
  return `payment_method.expiring:${paymentMethodId}:${m.year}-${String(m.month).padStart(2, '0')}`;
}
