import type { EntityManager } from 'typeorm';
import { newId } from '../platform/ids/ids';
import { AccountKind, EntryDraft, isBalanced } from './core/posting-rules';

/** An entry of the posting rules, for one merchant and currency. */
export interface MerchantEntry extends EntryDraft {
  merchantId: string;
  currency: string;
}

export interface PostedTransaction {
  id: string;
  merchantId: string;
  sourceType: string;
  sourceId: string;
}

const accountKey = (merchantId: string, currency: string, kind: string) =>
  `${merchantId}|${currency}|${kind}`;

/**
 * Writes entries to the journal inside the caller's transaction, in a constant number of
 * statements whatever the batch size (accounts, ledger transactions, entries, lines). A
 * ledger transaction is unique per (merchant, source_type, source_id): an entry whose
 * movement was already recorded (a retry, a second worker) is skipped, never posted twice.
 * Balance is checked here and again by the database at commit.
 */
export async function postEntries(
  em: EntityManager,
  now: Date,
  drafts: readonly MerchantEntry[],
): Promise<PostedTransaction[]> {
  const entries = drafts.filter((d) => d.lines.length > 0 || d.ledgerTransaction !== null);
  if (entries.length === 0) return [];
  for (const e of entries) {
    if (!isBalanced(e.lines)) throw new Error(`unbalanced ${e.kind} entry for ${e.merchantId}`);
  }

  const ltAccount = (e: MerchantEntry): AccountKind =>
    e.ledgerTransaction!.settled ? 'merchant_available' : 'merchant_pending';
  const wanted = new Map<string, [string, string, string]>();
  for (const e of entries) {
    for (const l of e.lines)
      wanted.set(accountKey(e.merchantId, e.currency, l.account), [
        e.merchantId,
        e.currency,
        l.account,
      ]);
    if (e.ledgerTransaction) {
      const kind = ltAccount(e);
      wanted.set(accountKey(e.merchantId, e.currency, kind), [e.merchantId, e.currency, kind]);
    }
  }
  const keys = [...wanted.values()];
  const ms = keys.map((k) => k[0]);
  const cs = keys.map((k) => k[1]);
  const ks = keys.map((k) => k[2]);
  await em.query(
    `INSERT INTO ledger_accounts (id, merchant_id, currency, kind, created_at)
     SELECT id, m, c, k, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(id, m, c, k)
     ON CONFLICT (merchant_id, currency, kind) DO NOTHING`,
    [keys.map(() => newId()), ms, cs, ks, now],
  );
  const accounts: { id: string; merchant_id: string; currency: string; kind: string }[] =
    await em.query(
      `SELECT a.id, a.merchant_id, a.currency, a.kind FROM ledger_accounts a
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS x(m, c, k)
         ON a.merchant_id = x.m AND a.currency = x.c AND a.kind = x.k`,
      [ms, cs, ks],
    );
  const accountId = new Map(
    accounts.map((a) => [accountKey(a.merchant_id, a.currency, a.kind), a.id]),
  );
  const idOf = (m: string, c: string, k: string) => {
    const id = accountId.get(accountKey(m, c, k));
    if (id === undefined) throw new Error(`ledger account ${k} of ${m} (${c}) is missing`);
    return id;
  };

  // Ledger transactions first: the ones that already exist mark their entries as duplicates.
  const withLt = entries.filter((e) => e.ledgerTransaction !== null);
  const ltIds = withLt.map(() => newId());
  const inserted: { id: string; merchant_id: string; source_type: string; source_id: string }[] =
    withLt.length === 0
      ? []
      : await em.query(
          `INSERT INTO ledger_transactions
             (id, merchant_id, currency, ledger_account_id, source_type, source_id, amount,
              settlement_status, settled_at, description, payable, created_at, updated_at)
           SELECT id, m, c, acc, st, sid, amt, CASE WHEN s THEN 'settled' ELSE 'unsettled' END,
                  CASE WHEN s THEN $10::timestamptz END, d, p, $10, $10
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::bigint[], $8::boolean[], $9::text[], $11::boolean[]) AS x(id, m, c, acc, st, sid, amt, s, d, p)
           ON CONFLICT (merchant_id, source_type, source_id) DO NOTHING
           RETURNING id, merchant_id, source_type, source_id`,
          [
            ltIds,
            withLt.map((e) => e.merchantId),
            withLt.map((e) => e.currency),
            withLt.map((e) => idOf(e.merchantId, e.currency, ltAccount(e))),
            withLt.map((e) => e.ledgerTransaction!.sourceType),
            withLt.map((e) => e.ledgerTransaction!.sourceId),
            withLt.map((e) => String(e.ledgerTransaction!.amount)),
            withLt.map((e) => e.ledgerTransaction!.settled),
            withLt.map((e) => e.ledgerTransaction!.description),
            now,
            withLt.map((e) => e.ledgerTransaction!.payable !== false),
          ],
        );
  const posted = new Set(inserted.map((r) => r.id));
  const ltOf = new Map<MerchantEntry, string>();
  withLt.forEach((e, i) => ltOf.set(e, ltIds[i]));
  const toWrite = entries.filter((e) => e.ledgerTransaction === null || posted.has(ltOf.get(e)!));

  const entryIds = toWrite.map(() => newId());
  if (toWrite.length > 0) {
    await em.query(
      `INSERT INTO ledger_entries (id, merchant_id, currency, kind, ledger_transaction_id, created_at)
       SELECT * , $6::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
      [
        entryIds,
        toWrite.map((e) => e.merchantId),
        toWrite.map((e) => e.currency),
        toWrite.map((e) => e.kind),
        toWrite.map((e) => ltOf.get(e) ?? null),
        now,
      ],
    );
    const lineEntry: string[] = [];
    const lineAccount: string[] = [];
    const lineAmount: string[] = [];
    toWrite.forEach((e, i) => {
      for (const l of e.lines) {
        lineEntry.push(entryIds[i]);
        lineAccount.push(idOf(e.merchantId, e.currency, l.account));
        lineAmount.push(String(l.amount));
      }
    });
    if (lineEntry.length > 0) {
      await em.query(
        `INSERT INTO ledger_lines (entry_id, account_id, amount)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`,
        [lineEntry, lineAccount, lineAmount],
      );
    }
  }
  return inserted.map((r) => ({
    id: r.id,
    merchantId: r.merchant_id,
    sourceType: r.source_type,
    sourceId: r.source_id,
  }));
}
