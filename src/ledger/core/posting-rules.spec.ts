import fc from 'fast-check';
import {
  AccountKind,
  disputeOpened,
  disputeWon,
  EntryDraft,
  isBalanced,
  merchantBalance,
  paymentCaptured,
  payoutCreated,
  payoutPaid,
  payoutReturned,
  refundCreated,
  settled,
  UnsettledMovement,
  voided,
} from './posting-rules';

const linesOf = (entries: EntryDraft[]) =>
  entries.map((e) => Object.fromEntries(e.lines.map((l) => [l.account, l.amount])));

describe('posting rules: worked examples', () => {
  it.each<[string, EntryDraft[], Record<string, number>[], number[]]>([
    [
      'a $100.00 payment with a $3.20 fee',
      paymentCaptured({ transactionId: 't1', amount: 10000, fee: 320 }),
      [
        { processor_receivable: 10000, merchant_pending: -10000 },
        { merchant_pending: 320, fee_revenue: -320 },
      ],
      [10000, -320],
    ],
    [
      'a payment without a fee has no fee entry',
      paymentCaptured({ transactionId: 't1', amount: 500, fee: 0 }),
      [{ processor_receivable: 500, merchant_pending: -500 }],
      [500],
    ],
    [
      'settling that payment and its fee',
      [
        settled([
          { sourceType: 'payment', amount: 10000 },
          { sourceType: 'fee', amount: -320 },
        ]),
      ],
      [
        {
          merchant_pending: 9680,
          merchant_available: -9680,
          settlement_cash: 10000,
          processor_receivable: -10000,
        },
      ],
      [],
    ],
    [
      'a $25.00 refund, then its settlement',
      [
        ...refundCreated({ transactionId: 'r1', amount: 2500 }),
        settled([{ sourceType: 'refund', amount: -2500 }]),
      ],
      [
        { merchant_pending: 2500, processor_receivable: -2500 },
        {
          merchant_pending: -2500,
          merchant_available: 2500,
          settlement_cash: -2500,
          processor_receivable: 2500,
        },
      ],
      [-2500],
    ],
    [
      'voiding a pending payment takes back the payment and returns its fee',
      voided('t1', [
        { sourceType: 'payment', amount: 10000 },
        { sourceType: 'fee', amount: -320 },
      ]),
      [
        { merchant_pending: 10000, processor_receivable: -10000 },
        { fee_revenue: 320, merchant_pending: -320 },
      ],
      [-10000, 320],
    ],
    [
      'a $40.00 dispute with a $15.00 fee, then won',
      [
        ...disputeOpened({ disputeId: 'd1', amount: 4000, fee: 1500 }),
        ...disputeWon({ disputeId: 'd1', amount: 4000 }),
      ],
      [
        { merchant_available: 4000, settlement_cash: -4000 },
        { merchant_available: 1500, fee_revenue: -1500 },
        { settlement_cash: 4000, merchant_available: -4000 },
      ],
      [-4000, -1500, 4000],
    ],
    [
      'a $96.80 payout with a $0.25 batch fee, paid',
      [
        ...payoutCreated({ payoutId: 'p1', amount: 9680, batchFee: 25 }),
        ...payoutPaid({ netAmount: 9655 }),
      ],
      [
        { merchant_available: 9680, payouts_in_transit: -9655, fee_revenue: -25 },
        { payouts_in_transit: 9655, settlement_cash: -9655 },
      ],
      [-9680],
    ],
    [
      'that payout returned by the bank with a $2.00 reject fee',
      payoutReturned({ payoutId: 'p1', amount: 9680, batchFee: 25, rejectFee: 200 }),
      [
        { payouts_in_transit: 9655, fee_revenue: 25, merchant_available: -9680 },
        { merchant_available: 200, fee_revenue: -200 },
      ],
      [9680, -200],
    ],
  ])('%s', (_name, entries, lines, ltAmounts) => {
    expect(linesOf(entries)).toEqual(lines);
    expect(
      entries.flatMap((e) => (e.ledgerTransaction ? [e.ledgerTransaction.amount] : [])),
    ).toEqual(ltAmounts);
    for (const e of entries) expect(isBalanced(e.lines)).toBe(true);
  });

  it('refuses negative or fractional amounts', () => {
    expect(() => paymentCaptured({ transactionId: 't', amount: -1, fee: 0 })).toThrow(RangeError);
    expect(() => refundCreated({ transactionId: 't', amount: 1.5 })).toThrow(RangeError);
    expect(() => payoutCreated({ payoutId: 'p', amount: 10, batchFee: 11 })).toThrow(RangeError);
  });
});

/**
 * A tiny in-memory ledger that applies the rules the way the services do, for the
 * properties below: payments (captured, maybe voided or settled), refunds of settled
 * payments, disputes (won or lost) and payouts (paid or returned).
 */
class ModelLedger {
  sums = new Map<AccountKind, number>();
  lts: {
    id: number;
    sourceType: string;
    group: string;
    amount: number;
    settled: boolean;
    payout: number | null;
    payable: boolean;
  }[] = [];
  private nextId = 1;

  post(entries: EntryDraft[], group: string): void {
    for (const e of entries) {
      expect(isBalanced(e.lines)).toBe(true);
      for (const l of e.lines) this.sums.set(l.account, (this.sums.get(l.account) ?? 0) + l.amount);
      if (e.ledgerTransaction) {
        const t = e.ledgerTransaction;
        this.lts.push({
          id: this.nextId++,
          sourceType: t.sourceType,
          group,
          amount: t.amount,
          settled: t.settled,
          payout: null,
          payable: t.payable !== false,
        });
      }
    }
  }

  unsettled(group: string): UnsettledMovement[] {
    return this.lts
      .filter((t) => t.group === group && !t.settled)
      .map((t) => ({
        sourceType: t.sourceType as UnsettledMovement['sourceType'],
        amount: t.amount,
      }));
  }

  markSettled(group: string): void {
    for (const t of this.lts) if (t.group === group) t.settled = true;
  }

  payoutCandidates() {
    return this.lts.filter((t) => t.settled && t.payout === null && t.payable);
  }
}

type Op =
  | { op: 'pay'; amount: number; fee: number }
  | { op: 'void'; i: number }
  | { op: 'settle'; i: number }
  | { op: 'refund'; i: number; part: number }
  | { op: 'dispute'; i: number; fee: number; win: boolean }
  | { op: 'payout'; batchFee: number; reject: boolean; rejectFee: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('pay' as const),
    amount: fc.integer({ min: 1, max: 1_000_000 }),
    fee: fc.integer({ min: 0, max: 5000 }),
  }),
  fc.record({ op: fc.constant('void' as const), i: fc.nat() }),
  fc.record({ op: fc.constant('settle' as const), i: fc.nat() }),
  fc.record({
    op: fc.constant('refund' as const),
    i: fc.nat(),
    part: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({
    op: fc.constant('dispute' as const),
    i: fc.nat(),
    fee: fc.integer({ min: 0, max: 2000 }),
    win: fc.boolean(),
  }),
  fc.record({
    op: fc.constant('payout' as const),
    batchFee: fc.integer({ min: 0, max: 100 }),
    reject: fc.boolean(),
    rejectFee: fc.integer({ min: 0, max: 300 }),
  }),
);

describe('posting rules: properties', () => {
  it('after any sequence of payments, refunds, disputes and payouts the ledger balances, and the balance is the sum of its ledger transactions', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const m = new ModelLedger();
        const payments: {
          id: string;
          amount: number;
          fee: number;
          state: 'pending' | 'voided' | 'settled';
          refunded: number;
          disputed: boolean;
        }[] = [];
        let n = 0;
        let captured = 0;
        let refunded = 0;
        let disputedLost = 0;
        let fees = 0;
        let paidOut = 0;
        for (const o of ops) {
          n++;
          if (o.op === 'pay') {
            const fee = Math.min(o.fee, o.amount);
            const id = `t${n}`;
            m.post(paymentCaptured({ transactionId: id, amount: o.amount, fee }), id);
            payments.push({
              id,
              amount: o.amount,
              fee,
              state: 'pending',
              refunded: 0,
              disputed: false,
            });
            captured += o.amount;
            fees += fee;
          } else if (o.op === 'void' || o.op === 'settle') {
            const p = payments.filter((x) => x.state === 'pending')[
              o.i % Math.max(1, payments.length)
            ];
            if (!p) continue;
            if (o.op === 'void') {
              m.post(voided(p.id, m.unsettled(p.id)), p.id);
              p.state = 'voided';
              captured -= p.amount;
              fees -= p.fee;
            } else {
              m.post([settled(m.unsettled(p.id))], p.id);
              p.state = 'settled';
            }
            m.markSettled(p.id);
          } else if (o.op === 'refund') {
            const p = payments.filter((x) => x.state === 'settled' && !x.disputed)[
              o.i % Math.max(1, payments.length)
            ];
            if (!p || p.refunded >= p.amount) continue;
            const amount = Math.max(1, Math.floor(((p.amount - p.refunded) * o.part) / 100));
            const id = `r${n}`;
            m.post(refundCreated({ transactionId: id, amount }), id);
            m.post([settled(m.unsettled(id))], id);
            m.markSettled(id);
            p.refunded += amount;
            refunded += amount;
          } else if (o.op === 'dispute') {
            const p = payments.filter(
              (x) => x.state === 'settled' && !x.disputed && x.refunded === 0,
            )[o.i % Math.max(1, payments.length)];
            if (!p) continue;
            const id = `d${n}`;
            m.post(disputeOpened({ disputeId: id, amount: p.amount, fee: o.fee }), id);
            fees += o.fee;
            p.disputed = true;
            if (o.win) m.post(disputeWon({ disputeId: id, amount: p.amount }), id);
            else disputedLost += p.amount;
          } else {
            const candidates = m.payoutCandidates();
            const amount = candidates.reduce((s, t) => s + t.amount, 0);
            if (amount <= 0) continue;
            const batchFee = Math.min(o.batchFee, amount);
            const id = `payout${n}`;
            expect(amount).toBe(merchantBalance(Object.fromEntries(m.sums)).available);
            m.post(payoutCreated({ payoutId: id, amount, batchFee }), id);
            for (const t of candidates) t.payout = n;
            // The ledger transactions of a payout sum to its amount.
            expect(m.lts.filter((t) => t.payout === n).reduce((s, t) => s + t.amount, 0)).toBe(
              amount,
            );
            if (o.reject) {
              m.post(
                payoutReturned({ payoutId: id, amount, batchFee, rejectFee: o.rejectFee }),
                id,
              );
              for (const t of candidates) t.payout = null;
              fees += o.rejectFee;
            } else {
              m.post(payoutPaid({ netAmount: amount - batchFee }), id);
              fees += batchFee;
              paidOut += amount - batchFee;
            }
          }
        }
        const all = [...m.sums.values()].reduce((s, v) => s + v, 0);
        expect(all).toBe(0);
        const balance = merchantBalance(Object.fromEntries(m.sums));
        const sumOf = (settledOnes: boolean) =>
          m.lts.filter((t) => t.settled === settledOnes).reduce((s, t) => s + t.amount, 0) + 0;
        expect(balance.pending).toBe(sumOf(false));
        expect(balance.available).toBe(sumOf(true));
        // Reconciliation: what was paid out plus what is left is what came in net of everything.
        expect(paidOut + balance.pending + balance.available).toBe(
          captured - refunded - disputedLost - fees,
        );
      }),
      { numRuns: 300 },
    );
  });
});
