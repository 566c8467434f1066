/**
 * Proration: what a change of price inside a paid cycle is worth, by days.
 *
 * A subscription bills in advance: the bill on date L pays for the cycle [L, N), where N is
 * the next bill date. A change that takes effect on the calendar date C (merchant-local),
 * L <= C < N, splits the cycle in two:
 *   - days used      = C - L   (the old price applied to them; the change day is not one of them)
 *   - days remaining = N - C   (the change day belongs to the new price, N itself does not)
 *   - days in cycle  = N - L
 * and, for every priced item of the old and of the new price:
 *   - credit (old item) = -round(old amount × remaining / days in cycle)
 *   - charge (new item) = +round(new amount × remaining / days in cycle)
 * each rounded ONCE, to the cent, half away from zero (the core's rule, money.ts). Lines are
 * never netted before rounding, so each one can be checked by hand from what it shows.
 *
 * The rule is the same for every frequency because a cycle is whatever [L, N) the calendar
 * gives: a twice-monthly cycle 1→15 has 14 days, 15→1 has the rest of the month; a daily cycle
 * with interval 1 has one day and a change on it has nothing left to prorate (remaining = 1,
 * the whole cycle, so old credit and new charge are the full prices); an annual cycle over a
 * leap February has 366 days. A month-end anchor (billing day 31 billed on Apr 30) uses the
 * dates actually billed, so Apr 30 → May 31 has 31 days.
 */
import { CalcInputError } from './errors';
import { Money, requireCents, roundCents } from './money';
import { compareLocalDate, daysBetween, isLocalDate, type LocalDate } from './calendar';

export const PRORATION_RULE =
  'day-based: amount × days remaining ÷ days in cycle, the change day included and the next bill date excluded, rounded half up to the cent once per line';

/** One priced item of a subscription's price (the plan's base, an add-on, a discount). */
export interface PricedItem {
  kind: 'base' | 'add_on' | 'discount';
  /** The item's id (plan, add-on or discount id); null for an ad-hoc amount. */
  id: string | null;
  name: string;
  /** What the item costs per full cycle, in cents, >= 0 (a discount's amount is subtracted). */
  amount: number;
}

export interface ProrationInput {
  /** The bill date that started the current cycle (L). */
  cycleStart: LocalDate;
  /** The next bill date (N): the end of the current cycle, exclusive. */
  cycleEnd: LocalDate;
  /** The merchant-local date the change takes effect (C), cycleStart <= C < cycleEnd. */
  changeDate: LocalDate;
  /** The items billed for the cycle before the change. */
  before: readonly PricedItem[];
  /** The items after the change. */
  after: readonly PricedItem[];
}

export interface ProrationLine {
  /** 'credit' for the unused part of an old item, 'charge' for the rest of the cycle of a new one. */
  type: 'credit' | 'charge';
  item: PricedItem;
  /** Signed cents: what this line adds to the invoice (a credit of an add-on is negative, a credit of a discount positive). */
  amount: number;
  /** The part of the cycle the line covers: [periodStart, periodEnd). */
  periodStart: LocalDate;
  periodEnd: LocalDate;
  daysRemaining: number;
  daysInCycle: number;
  /** A sentence a person can check by hand. */
  description: string;
}

export interface Proration {
  lines: ProrationLine[];
  /** Sum of the lines, signed: > 0 the customer owes, < 0 the customer is owed (a credit). */
  net: number;
  daysUsed: number;
  daysRemaining: number;
  daysInCycle: number;
  rule: string;
}

/** The prorated lines of a change at `changeDate` inside the cycle [cycleStart, cycleEnd). */
export function prorateChange(input: ProrationInput): Proration {
  const { cycleStart, cycleEnd, changeDate } = input;
  for (const [field, value] of [
    ['cycle_start', cycleStart],
    ['cycle_end', cycleEnd],
    ['change_date', changeDate],
  ] as const) {
    if (!isLocalDate(value)) {
      throw new CalcInputError(
        field,
        `must be a calendar date 'YYYY-MM-DD', got ${JSON.stringify(value)}`,
      );
    }
  }
  if (compareLocalDate(cycleStart, cycleEnd) >= 0) {
    throw new CalcInputError(
      'cycle_end',
      `must be after the cycle start ${cycleStart}, got ${cycleEnd}`,
    );
  }
  if (compareLocalDate(changeDate, cycleStart) < 0 || compareLocalDate(changeDate, cycleEnd) >= 0) {
    throw new CalcInputError(
      'change_date',
      `must be inside the cycle ${cycleStart} to ${cycleEnd} (end excluded), got ${changeDate}`,
    );
  }
  const daysInCycle = daysBetween(cycleStart, cycleEnd);
  const daysRemaining = daysBetween(changeDate, cycleEnd);
  const daysUsed = daysInCycle - daysRemaining;

  const lines: ProrationLine[] = [];
  for (const item of input.before)
    lines.push(prorateItem('credit', item, input, daysRemaining, daysInCycle));
  for (const item of input.after)
    lines.push(prorateItem('charge', item, input, daysRemaining, daysInCycle));
  const net = lines.reduce((sum, line) => sum + line.amount, 0);
  return { lines, net, daysUsed, daysRemaining, daysInCycle, rule: PRORATION_RULE };
}

/** The item's price for `days` of a `daysInCycle`-day cycle, rounded once (>= 0). */
export function partOfCycle(amount: number, days: number, daysInCycle: number): number {
  requireCents(amount, 'amount');
  if (
    !Number.isInteger(days) ||
    !Number.isInteger(daysInCycle) ||
    daysInCycle <= 0 ||
    days < 0 ||
    days > daysInCycle
  ) {
    throw new CalcInputError(
      'days',
      `must be whole days within the cycle, got ${days} of ${daysInCycle}`,
    );
  }
  return roundCents(new Money(amount).times(days).dividedBy(daysInCycle));
}

function prorateItem(
  type: 'credit' | 'charge',
  item: PricedItem,
  input: ProrationInput,
  daysRemaining: number,
  daysInCycle: number,
): ProrationLine {
  const field = type === 'credit' ? 'before' : 'after';
  requireCents(item.amount, `${field}.${item.kind}.amount`);
  const part = partOfCycle(item.amount, daysRemaining, daysInCycle);
  // A discount lowers the price: crediting its unused part costs the customer, charging it saves.
  const sign = (type === 'credit' ? -1 : 1) * (item.kind === 'discount' ? -1 : 1);
  const amount = sign * part;
  const verb = type === 'credit' ? 'Unused time on' : 'Remaining time on';
  const price = formatCents(item.amount);
  const description =
    `${verb} ${item.name} (${price} per cycle) from ${input.changeDate} to ${input.cycleEnd}: ` +
    `${price} × ${daysRemaining}/${daysInCycle} days = ${formatCents(part)}` +
    (item.kind === 'discount' ? ' (discount)' : '');
  return {
    type,
    item,
    amount: amount === 0 ? 0 : amount,
    periodStart: input.changeDate,
    periodEnd: input.cycleEnd,
    daysRemaining,
    daysInCycle,
    description,
  };
}

/** Cents as a plain decimal for explanations ("1234" → "12.34"); not a currency format. */
function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * How a customer's credit balance pays an invoice: credit is consumed before any charge,
 * never more than the invoice's amount due and never more than the balance. Returns what is
 * applied and what is left to charge (both >= 0).
 */
export function applyCredit(
  amountDue: number,
  creditBalance: number,
): { creditApplied: number; amountDue: number } {
  requireCents(amountDue, 'amount_due');
  requireCents(creditBalance, 'credit_balance');
  const creditApplied = Math.min(amountDue, creditBalance);
  return { creditApplied, amountDue: amountDue - creditApplied };
}
