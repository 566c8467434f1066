/**
 * Which cycles a subscription owes as of a date. Pure: no clock, no I/O.
 *
 * The Kill Bill shape: what *should* have been billed from the first unbilled date up to the
 * date (the schedule), minus what *was* billed (the cycles that exist). Re-running the same
 * date therefore owes nothing, and a next_bill_date rewound by hand onto a billed date owes
 * nothing either: it is reported as `blocked`, never billed twice.
 */
import { billDatesThrough, BillingSchedule, LocalDate } from '../../billing-calc/calendar';
import type { CatchUp } from './dunning';

export interface DueInput {
  schedule: BillingSchedule;
  /** The subscription's first unbilled date (its stored next_bill_date). */
  nextBillDate: LocalDate;
  asOf: LocalDate;
  /** Bill dates that already have a cycle. */
  billed: ReadonlySet<LocalDate>;
  catchUp: CatchUp;
}

export type DueCycles =
  /** Nothing owed as of the date. */
  | { kind: 'none' }
  /** Bill `billDate` next; with catch_up "latest", `skipped` are the missed dates passed over. */
  | { kind: 'bill'; billDate: LocalDate; skipped: LocalDate[]; remaining: number }
  /** The next bill date already has a cycle (rewound by hand): left alone, never billed twice. */
  | { kind: 'blocked'; billDate: LocalDate };

/** Bounded: a daily subscription years behind is billed over several runs, not one loop. */
const MAX_DATES = 400;

export function shouldHaveBilled(
  schedule: BillingSchedule,
  nextBillDate: LocalDate,
  asOf: LocalDate,
): LocalDate[] {
  return billDatesThrough(schedule, nextBillDate, asOf).slice(0, MAX_DATES);
}

export function dueCycles(input: DueInput): DueCycles {
  if (input.nextBillDate > input.asOf) return { kind: 'none' };
  const should = shouldHaveBilled(input.schedule, input.nextBillDate, input.asOf);
  if (should.length === 0) return { kind: 'none' };
  const owed = should.filter((d) => !input.billed.has(d));
  if (input.billed.has(input.nextBillDate))
    return { kind: 'blocked', billDate: input.nextBillDate };
  if (owed.length === 0) return { kind: 'none' };
  if (input.catchUp === 'latest' && owed.length > 1) {
    return {
      kind: 'bill',
      billDate: owed[owed.length - 1],
      skipped: owed.slice(0, -1),
      remaining: 0,
    };
  }
  return { kind: 'bill', billDate: owed[0], skipped: [], remaining: owed.length - 1 };
}
