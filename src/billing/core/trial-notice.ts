/**
 * Which trials get their "trial will end" notice on a run's date (docs/subscriptions.md,
 * "Trials"). Pure: no clock, no I/O.
 */
import { compareLocalDate, trialNoticeDate, type LocalDate } from '../../billing-calc/calendar';

export const DEFAULT_TRIAL_NOTICE_DAYS = 3;
export const MAX_TRIAL_NOTICE_DAYS = 30;

export interface RunningTrial {
  id: string;
  merchantId: string;
  trialStart: LocalDate;
  trialEnd: LocalDate;
}

/**
 * The trials whose notice is due as of `asOf`: `noticeDays` before the end (never before the
 * trial starts, so a trial shorter than the notice is told on its first day), while the trial
 * has not ended yet. 0 days means the merchant sends no notice.
 */
export function trialNoticesDue(
  trials: readonly RunningTrial[],
  asOf: LocalDate,
  noticeDaysOf: (merchantId: string) => number,
): RunningTrial[] {
  return trials.filter((t) => {
    const days = noticeDaysOf(t.merchantId);
    if (days <= 0) return false;
    if (compareLocalDate(t.trialEnd, asOf) <= 0) return false;
    return compareLocalDate(trialNoticeDate(t.trialStart, t.trialEnd, days), asOf) <= 0;
  });
}
