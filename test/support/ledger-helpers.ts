import { DataSource } from 'typeorm';
import { Api, TestApp, TestMerchant } from './test-app';

/** A payments API (/v1) client for one merchant: x-api-key and x-account-id. */
export function v1(t: TestApp, m: TestMerchant, extra: Record<string, string> = {}) {
  const api = new Api(t.baseUrl);
  const h = { 'x-api-key': m.privateKey, 'x-account-id': m.id, ...extra };
  return {
    get: (path: string, headers: Record<string, string> = {}) =>
      api.get(path, { ...h, ...headers }),
    post: (path: string, body?: unknown, headers: Record<string, string> = {}) =>
      api.post(path, body, { ...h, ...headers }),
  };
}

export const card = (number = '4111111111111111') => ({
  card: { entry_type: 'keyed', number, expiration_date: '12/39', cvc: '999' },
});

export async function sale(m: TestMerchant, amount: number, number?: string): Promise<string> {
  const res = await m.api.post('/api/transaction', {
    type: 'sale',
    amount,
    payment_method: card(number),
  });
  if (res.status !== 200 || res.body.data.status !== 'pending_settlement') {
    throw new Error(`sale failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.data.id;
}

export async function settleGateway(m: TestMerchant): Promise<number> {
  const res = await m.api.post('/api/sandbox/settle');
  return res.body.data.settled;
}

/**
 * The ledger's invariants for one merchant, read straight from its tables: every entry
 * balances, all accounts sum to zero, and the merchant's balance is the sum of its
 * ledger transactions (unsettled ones pending, settled ones available).
 */
export async function ledgerInvariants(ds: DataSource, merchantId: string) {
  const unbalanced: unknown[] = await ds.query(
    `SELECT e.id FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
      WHERE e.merchant_id = $1 GROUP BY e.id HAVING sum(l.amount) <> 0`,
    [merchantId],
  );
  const total: { s: string }[] = await ds.query(
    `SELECT coalesce(sum(l.amount), 0) AS s FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
      WHERE a.merchant_id = $1`,
    [merchantId],
  );
  const accounts: { kind: string; s: string }[] = await ds.query(
    `SELECT a.kind, coalesce(sum(l.amount), 0) AS s FROM ledger_accounts a
       LEFT JOIN ledger_lines l ON l.account_id = a.id WHERE a.merchant_id = $1 GROUP BY a.kind`,
    [merchantId],
  );
  const lts: { settlement_status: string; s: string }[] = await ds.query(
    `SELECT settlement_status, sum(amount) AS s FROM ledger_transactions WHERE merchant_id = $1 GROUP BY settlement_status`,
    [merchantId],
  );
  const byKind = Object.fromEntries(accounts.map((a) => [a.kind, Number(a.s)]));
  const ltSum = (status: string) => Number(lts.find((r) => r.settlement_status === status)?.s ?? 0);
  return {
    unbalancedEntries: unbalanced.length,
    sumOfAllAccounts: Number(total[0].s),
    accounts: byKind as Record<string, number>,
    pendingFromEntries: -(byKind.merchant_pending ?? 0) + 0,
    availableFromEntries: -(byKind.merchant_available ?? 0) + 0,
    pendingFromTransactions: ltSum('unsettled'),
    availableFromTransactions: ltSum('settled'),
  };
}
