import { trialNoticesDue, type RunningTrial } from './trial-notice';

const trial = (id: string, trialStart: string, trialEnd: string): RunningTrial => ({
  id,
  merchantId: 'm1',
  trialStart,
  trialEnd,
});

describe('trialNoticesDue', () => {
  const trials = [
    trial('ends-in-3', '2027-01-01', '2027-01-15'),
    trial('ends-in-4', '2027-01-01', '2027-01-16'),
    trial('ends-today', '2027-01-01', '2027-01-12'),
    trial('two-day-trial', '2027-01-11', '2027-01-13'),
  ];

  it('is due N days before the end, never after the trial ended, and on day one of a short trial', () => {
    const due = trialNoticesDue(trials, '2027-01-12', () => 3).map((t) => t.id);
    expect(due).toEqual(['ends-in-3', 'two-day-trial']);
  });

  it('keeps a notice due on later runs until it is sent (a missed run catches up)', () => {
    const due = trialNoticesDue(trials, '2027-01-14', () => 3).map((t) => t.id);
    expect(due).toEqual(['ends-in-3', 'ends-in-4']);
  });

  it('sends nothing when the merchant set 0 days', () => {
    expect(trialNoticesDue(trials, '2027-01-12', () => 0)).toEqual([]);
  });
});
