/**
 * The sandbox network's disputes (docs/ledger.md, "Disputes in the sandbox"): a settled
 * payment of one of these exact amounts is disputed SANDBOX_DISPUTE_AFTER_DAYS days after
 * it settled, with the reason given. A dispute is won or lost through the sandbox endpoint.
 */
export const SANDBOX_DISPUTE_AFTER_DAYS = 3;
/** Days the merchant has to answer a dispute with evidence. */
export const DISPUTE_RESPONSE_DAYS = 10;

export interface DisputeReason {
  code: number;
  reason: string;
}

export const DISPUTE_REASONS: ReadonlyMap<number, string> = new Map([
  [1040, 'fraudulent: card-absent environment'],
  [1310, 'merchandise or services not received'],
  [1330, 'not as described or defective'],
  [1260, 'duplicate processing'],
]);

export const SANDBOX_DISPUTE_AMOUNTS: ReadonlyMap<number, number> = new Map([
  [110400, 1040],
  [113100, 1310],
  [113300, 1330],
  [112600, 1260],
]);

/** The reason code a settled payment of `amount` will be disputed with, or null. */
export function sandboxDisputeReason(amount: number): number | null {
  return SANDBOX_DISPUTE_AMOUNTS.get(amount) ?? null;
}
