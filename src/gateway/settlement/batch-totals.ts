/**
 * A settlement batch's counts and totals from the transactions it closes. Pure.
 * Sales are sales and captured authorizations; refunds and credits take money back, so
 * net = sales − refunds − credits (cents, may be negative).
 */
export interface SettlingTransaction {
  id: string;
  type: 'sale' | 'authorize' | 'verification' | 'credit' | 'refund';
  processorId: string;
  currency: string;
  amountSettled: number;
}

export interface BatchTotals {
  processorId: string;
  currency: string;
  transactionIds: string[];
  transactionCount: number;
  saleCount: number;
  saleAmount: number;
  refundCount: number;
  refundAmount: number;
  creditCount: number;
  creditAmount: number;
  netAmount: number;
}

/** One group per processor and currency, in a stable order (processor, then currency). */
export function batchTotals(rows: readonly SettlingTransaction[]): BatchTotals[] {
  const groups = new Map<string, BatchTotals>();
  for (const r of rows) {
    const key = `${r.processorId}\u0000${r.currency}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        processorId: r.processorId,
        currency: r.currency,
        transactionIds: [],
        transactionCount: 0,
        saleCount: 0,
        saleAmount: 0,
        refundCount: 0,
        refundAmount: 0,
        creditCount: 0,
        creditAmount: 0,
        netAmount: 0,
      };
      groups.set(key, g);
    }
    g.transactionIds.push(r.id);
    g.transactionCount++;
    if (r.type === 'sale' || r.type === 'authorize') {
      g.saleCount++;
      g.saleAmount += r.amountSettled;
    } else if (r.type === 'refund') {
      g.refundCount++;
      g.refundAmount += r.amountSettled;
    } else if (r.type === 'credit') {
      g.creditCount++;
      g.creditAmount += r.amountSettled;
    }
    g.netAmount = g.saleAmount - g.refundAmount - g.creditAmount;
  }
  return [...groups.values()].sort((a, b) =>
    a.processorId === b.processorId
      ? a.currency.localeCompare(b.currency)
      : a.processorId.localeCompare(b.processorId),
  );
}
