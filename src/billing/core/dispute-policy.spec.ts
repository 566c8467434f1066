import { disputeActionProblem, disputeReactions, DisputeFacts } from './dispute-policy';

const opened: DisputeFacts = {
  kind: 'opened',
  disputeId: 'd1',
  paymentId: 't1',
  amount: 110400,
  reasonCode: 1040,
  billDate: '2027-03-25',
};

describe('dispute policy', () => {
  it.each([
    ['pause', ['noted', 'paused']],
    ['cancel', ['noted', 'cancelled']],
    ['none', ['noted']],
  ] as const)('an opened dispute with dispute_action %s', (action, kinds) => {
    const r = disputeReactions(action, opened);
    expect(r.map((x) => (x.kind === 'status' ? x.to : x.kind))).toEqual(kinds);
    expect(r[0]).toEqual({
      kind: 'noted',
      detail: {
        dispute: {
          id: 'd1',
          status: 'new',
          payment_id: 't1',
          amount: 110400,
          reason_disputed_code: 1040,
          bill_date: '2027-03-25',
        },
      },
    });
  });

  it('a decided dispute is only noted: resuming is the merchant’s call', () => {
    for (const kind of ['won', 'lost'] as const) {
      expect(disputeReactions('pause', { ...opened, kind }).map((x) => x.kind)).toEqual(['noted']);
    }
  });

  it('names the field of a bad dispute_action', () => {
    expect(disputeActionProblem('pause')).toBeNull();
    expect(disputeActionProblem(undefined)).toBeNull();
    expect(disputeActionProblem('refund')).toEqual({
      field: 'dispute_action',
      problem: 'must be one of none, pause, cancel',
    });
  });
});
