/**
 * The ledger's posting rules (docs/ledger.md): which accounts each money movement debits
 * and credits, and by how much. Pure: no I/O, no clock. Amounts are integer cents; a line
 * is signed, debit positive and credit negative, so an entry balances when its lines sum
 * to zero and every account's balance is the sum of its lines.
 *
 * Every account is the merchant's own (one set per merchant and currency):
 * - merchant_pending, merchant_available (liabilities: what Rebill owes the merchant,
 *   before and after settlement; credit-normal, so the merchant's balance is minus the sum);
 * - processor_receivable (asset: captured money the processor has not settled yet);
 * - settlement_cash (asset: settled money Rebill holds);
 * - payouts_in_transit (clearing: sent to the merchant's bank, not confirmed yet);
 * - fee_revenue (income: processing, dispute and payout fees);
 * - adjustments (manual corrections, the counterpart of an adjustment).
 */

export const ACCOUNT_KINDS = [
  'merchant_pending',
  'merchant_available',
  'processor_receivable',
  'settlement_cash',
  'payouts_in_transit',
  'fee_revenue',
  'adjustments',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** The spec's source_type values this ledger writes. */
export type SourceType =
  'payment' | 'refund' | 'reversal' | 'fee' | 'fee_refund' | 'dispute' | 'payout' | 'adjustment';

export interface Line {
  account: AccountKind;
  /** Debit positive, credit negative. */
  amount: number;
}

/**
 * What a movement shows the merchant: one ledger transaction, whose amount is the change of
 * the merchant's balance (pending while unsettled, available once settled).
 */
export interface LedgerTransactionDraft {
  sourceType: SourceType;
  sourceId: string;
  /** Signed, from the merchant's side: + money owed to the merchant, − money taken. */
  amount: number;
  /** Settled transactions count in `available`; others in `pending`. */
  settled: boolean;
  description: string;
  /** False for a payout's own transactions (the payout and its return), never paid out. */
  payable?: false;
}

export interface EntryDraft {
  /** What the entry records (journal vocabulary, docs/ledger.md). */
  kind:
    | 'payment'
    | 'fee'
    | 'refund'
    | 'reversal'
    | 'settlement'
    | 'dispute'
    | 'dispute_fee'
    | 'dispute_won'
    | 'payout'
    | 'payout_paid'
    | 'payout_returned'
    | 'payout_reject_fee'
    | 'adjustment';
  lines: Line[];
  /** The ledger transaction the entry creates, if it is a movement the merchant sees. */
  ledgerTransaction: LedgerTransactionDraft | null;
}

const line = (account: AccountKind, amount: number): Line => ({ account, amount });

function entry(
  kind: EntryDraft['kind'],
  lines: Line[],
  ledgerTransaction: LedgerTransactionDraft | null,
): EntryDraft {
  return { kind, lines: lines.filter((l) => l.amount !== 0), ledgerTransaction };
}

function requireCents(value: number, what: string, allowNegative = false): void {
  if (!Number.isSafeInteger(value) || (!allowNegative && value < 0)) {
    throw new RangeError(
      `${what} must be ${allowNegative ? 'a' : 'a non-negative'} safe integer of cents, got ${value}`,
    );
  }
}

/** The sum of lines per entry must be zero: the one invariant the database also enforces. */
export function isBalanced(lines: readonly Line[]): boolean {
  let sum = 0;
  for (const l of lines) sum += l.amount;
  return sum === 0;
}

/**
 * A captured payment (a sale, or the capture of an authorization): the processor owes the
 * money, the merchant is owed it, pending settlement. Its processing fee is a ledger
 * transaction of its own, so the merchant sees gross and fee apart.
 */
export function paymentCaptured(p: {
  transactionId: string;
  amount: number;
  fee: number;
}): EntryDraft[] {
  requireCents(p.amount, 'amount');
  requireCents(p.fee, 'fee');
  const out = [
    entry(
      'payment',
      [line('processor_receivable', p.amount), line('merchant_pending', -p.amount)],
      {
        sourceType: 'payment',
        sourceId: p.transactionId,
        amount: p.amount,
        settled: false,
        description: 'payment',
      },
    ),
  ];
  if (p.fee > 0) {
    out.push(
      entry('fee', [line('merchant_pending', p.fee), line('fee_revenue', -p.fee)], {
        sourceType: 'fee',
        sourceId: p.transactionId,
        amount: -p.fee,
        settled: false,
        description: 'processing fee',
      }),
    );
  }
  return out;
}

/**
 * A refund (or a credit to a card) the gateway accepted: it leaves the merchant's pending
 * balance now and settles with the processor's next batch. NOTE: the processing fee of
 * the refunded payment is not returned (as with most processors).
 */
export function refundCreated(r: {
  transactionId: string;
  amount: number;
  description?: string;
}): EntryDraft[] {
  requireCents(r.amount, 'amount');
  return [
    entry('refund', [line('merchant_pending', r.amount), line('processor_receivable', -r.amount)], {
      sourceType: 'refund',
      sourceId: r.transactionId,
      amount: -r.amount,
      settled: false,
      description: r.description ?? 'refund',
    }),
  ];
}

/** An unsettled ledger transaction of a gateway transaction, as the ledger recorded it. */
export interface UnsettledMovement {
  sourceType: SourceType;
  /** The ledger transaction's signed amount. */
  amount: number;
}

/**
 * The processor settled a gateway transaction: its unsettled ledger transactions move from
 * pending to available, and the processor's money becomes cash. `gross` is what the
 * processor moves (the payment's amount, or minus a refund's).
 */
export function settled(movements: readonly UnsettledMovement[]): EntryDraft {
  let net = 0;
  let gross = 0;
  for (const m of movements) {
    requireCents(m.amount, 'amount', true);
    net += m.amount;
    if (m.sourceType === 'payment' || m.sourceType === 'refund') gross += m.amount;
  }
  return entry(
    'settlement',
    [
      line('merchant_pending', net),
      line('merchant_available', -net),
      line('settlement_cash', gross),
      line('processor_receivable', -gross),
    ],
    null,
  );
}

/**
 * A void before settlement: every unsettled ledger transaction of the voided gateway
 * transaction is taken back by one of the opposite sign (a payment by a reversal, its fee
 * by a fee refund, a refund by a reversal). The pair nets to zero and never reaches
 * `available`; both are marked settled by the service.
 */
export function voided(
  transactionId: string,
  movements: readonly UnsettledMovement[],
): EntryDraft[] {
  return movements.map((m) => {
    if (m.sourceType === 'payment') {
      return entry(
        'reversal',
        [line('merchant_pending', m.amount), line('processor_receivable', -m.amount)],
        {
          sourceType: 'reversal',
          sourceId: transactionId,
          amount: -m.amount,
          settled: true,
          description: 'payment voided',
        },
      );
    }
    if (m.sourceType === 'fee') {
      return entry('fee', [line('fee_revenue', -m.amount), line('merchant_pending', m.amount)], {
        sourceType: 'fee_refund',
        sourceId: transactionId,
        amount: -m.amount,
        settled: true,
        description: 'processing fee returned: payment voided',
      });
    }
    if (m.sourceType === 'refund') {
      return entry(
        'reversal',
        [line('processor_receivable', -m.amount), line('merchant_pending', m.amount)],
        {
          sourceType: 'reversal',
          sourceId: transactionId,
          amount: -m.amount,
          settled: true,
          description: 'refund voided',
        },
      );
    }
    throw new RangeError(`a ${m.sourceType} is not voidable`);
  });
}

/**
 * A dispute (chargeback) on a settled payment: the network takes the amount back from the
 * settled money at once, and the dispute fee is charged; both come out of `available`.
 */
export function disputeOpened(d: { disputeId: string; amount: number; fee: number }): EntryDraft[] {
  requireCents(d.amount, 'amount');
  requireCents(d.fee, 'fee');
  const out = [
    entry('dispute', [line('merchant_available', d.amount), line('settlement_cash', -d.amount)], {
      sourceType: 'dispute',
      sourceId: d.disputeId,
      amount: -d.amount,
      settled: true,
      description: 'dispute',
    }),
  ];
  if (d.fee > 0) {
    out.push(
      entry('dispute_fee', [line('merchant_available', d.fee), line('fee_revenue', -d.fee)], {
        sourceType: 'fee',
        sourceId: d.disputeId,
        amount: -d.fee,
        settled: true,
        description: 'dispute fee',
      }),
    );
  }
  return out;
}

/** A won dispute: the network returns the amount. NOTE: the dispute fee is kept. */
export function disputeWon(d: { disputeId: string; amount: number }): EntryDraft[] {
  requireCents(d.amount, 'amount');
  return [
    entry(
      'dispute_won',
      [line('settlement_cash', d.amount), line('merchant_available', -d.amount)],
      {
        sourceType: 'reversal',
        sourceId: d.disputeId,
        amount: d.amount,
        settled: true,
        description: 'dispute won',
      },
    ),
  ];
}

/**
 * A payout of `amount` (the sum of its ledger transactions) leaves `available`; the bank
 * gets `amount − batchFee`, the batch fee is revenue.
 */
export function payoutCreated(p: {
  payoutId: string;
  amount: number;
  batchFee: number;
}): EntryDraft[] {
  requireCents(p.amount, 'amount');
  requireCents(p.batchFee, 'batch fee');
  if (p.batchFee > p.amount) throw new RangeError('the batch fee exceeds the payout');
  return [
    entry(
      'payout',
      [
        line('merchant_available', p.amount),
        line('payouts_in_transit', -(p.amount - p.batchFee)),
        line('fee_revenue', -p.batchFee),
      ],
      {
        sourceType: 'payout',
        sourceId: p.payoutId,
        amount: -p.amount,
        settled: true,
        description: 'payout',
        payable: false,
      },
    ),
  ];
}

/** The bank confirmed the payout: the money has left Rebill. */
export function payoutPaid(p: { netAmount: number }): EntryDraft[] {
  requireCents(p.netAmount, 'net amount');
  return [
    entry(
      'payout_paid',
      [line('payouts_in_transit', p.netAmount), line('settlement_cash', -p.netAmount)],
      null,
    ),
  ];
}

/**
 * The bank rejected the payout: the whole amount returns to `available` (the batch fee is
 * given back), and the plan's reject fee is charged as a fee of its own.
 */
export function payoutReturned(p: {
  payoutId: string;
  amount: number;
  batchFee: number;
  rejectFee: number;
}): EntryDraft[] {
  requireCents(p.amount, 'amount');
  requireCents(p.batchFee, 'batch fee');
  requireCents(p.rejectFee, 'reject fee');
  const out = [
    entry(
      'payout_returned',
      [
        line('payouts_in_transit', p.amount - p.batchFee),
        line('fee_revenue', p.batchFee),
        line('merchant_available', -p.amount),
      ],
      {
        sourceType: 'reversal',
        sourceId: p.payoutId,
        amount: p.amount,
        settled: true,
        description: 'payout returned by the bank',
        payable: false,
      },
    ),
  ];
  if (p.rejectFee > 0) {
    out.push(
      entry(
        'payout_reject_fee',
        [line('merchant_available', p.rejectFee), line('fee_revenue', -p.rejectFee)],
        {
          sourceType: 'fee',
          sourceId: p.payoutId,
          amount: -p.rejectFee,
          settled: true,
          description: 'payout reject fee',
        },
      ),
    );
  }
  return out;
}

/** A manual correction of the merchant's available balance (+ credits it, − debits it). */
export function adjustment(a: {
  adjustmentId: string;
  amount: number;
  description: string;
}): EntryDraft[] {
  requireCents(a.amount, 'amount', true);
  return [
    entry('adjustment', [line('adjustments', a.amount), line('merchant_available', -a.amount)], {
      sourceType: 'adjustment',
      sourceId: a.adjustmentId,
      amount: a.amount,
      settled: true,
      description: a.description,
    }),
  ];
}

/** The merchant's balance from account sums (liabilities are credit-normal). */
export function merchantBalance(sums: Partial<Record<AccountKind, number>>): {
  pending: number;
  available: number;
} {
  return {
    pending: -(sums.merchant_pending ?? 0) + 0,
    available: -(sums.merchant_available ?? 0) + 0,
  };
}
