import { readDateInput } from '../../billing-calc/calendar';
/**
 * The spec's search criteria: QuerySearchString {operator: "=" | "!=", value},
 * QuerySearchInt {operator: "=" | "!=" | "<" | ">", value}, and date ranges
 * {start_date, end_date} in UTC ("YYYY-MM-DDTHH:II:SSZ"; a bare date is accepted).
 * Each reader returns null when the criterion is absent or left at the spec's empty default.
 */
import { ValidationError } from '../../platform/errors/errors';
import { Body, isAbsent, optionalInteger, optionalObject } from '../../platform/http/input';

export interface StringCriterion {
  operator: '=' | '!=';
  value: string;
}
export interface IntCriterion {
  operator: '=' | '!=' | '<' | '>';
  value: number;
}
export interface DateRange {
  start: Date | null;
  end: Date | null;
}

export function parseStringCriterion(raw: unknown, field: string): StringCriterion | null {
  const obj = optionalObject(raw, field);
  if (obj === undefined) return null;
  const operator = obj.operator ?? '';
  const value = obj.value;
  if (operator === '' && (isAbsent(value) || value === '')) return null;
  if (operator !== '' && operator !== '=' && operator !== '!=') {
    throw new ValidationError(`${field}.operator`, 'must be "=" or "!="');
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ValidationError(`${field}.value`, 'must be a string');
  }
  return { operator: operator === '' ? '=' : (operator as '=' | '!='), value: String(value) };
}

export function parseIntCriterion(raw: unknown, field: string): IntCriterion | null {
  const obj = optionalObject(raw, field);
  if (obj === undefined) return null;
  const operator = obj.operator ?? '';
  if (operator === '' && isAbsent(obj.value)) return null;
  if (operator !== '' && !['=', '!=', '<', '>'].includes(operator as string)) {
    throw new ValidationError(`${field}.operator`, 'must be "=", "!=", "<" or ">"');
  }
  const value =
    typeof obj.value === 'string' && /^\d+$/.test(obj.value) ? Number(obj.value) : obj.value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ValidationError(`${field}.value`, 'must be an integer');
  }
  return { operator: operator === '' ? '=' : (operator as IntCriterion['operator']), value };
}

export function parseDateRange(raw: unknown, field: string): DateRange | null {
  const obj = optionalObject(raw, field);
  if (obj === undefined) return null;
  const start = parseDate(obj.start_date, `${field}.start_date`, false);
  const end = parseDate(obj.end_date, `${field}.end_date`, true);
  if (start === null && end === null) return null;
  if (start !== null && end !== null && start.getTime() > end.getTime()) {
    throw new ValidationError(field, 'start_date is after end_date');
  }
  return { start, end };
}

/** A bare end date means the whole day. */
function parseDate(value: unknown, field: string, endOfDay: boolean): Date | null {
  if (isAbsent(value) || value === '') return null;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a UTC date string');
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const text = bare ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}Z` : value;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    throw new ValidationError(field, 'must be a UTC date and time, "YYYY-MM-DDTHH:II:SSZ"');
  }
  // Strict: 2026-02-30 is refused, never rolled over into March as the JavaScript Date constructor would.
  const read = readDateInput(text, 'UTC');
  if (!read.ok) throw new ValidationError(field, 'is not a real date');
  return read.instant;
}

export function parsePaging(
  body: Body,
  defaults: { limit: number; maxLimit: number; maxOffset: number },
): { limit: number; offset: number } {
  const limit = optionalInteger(body.limit, 'limit', 0, defaults.maxLimit);
  const offset = optionalInteger(body.offset, 'offset', 0, defaults.maxOffset);
  return {
    limit: limit === undefined || limit === 0 ? defaults.limit : limit,
    offset: offset ?? 0,
  };
}

/** Collects SQL conditions with numbered parameters. Column names come only from code. */
export class SqlConditions {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  constructor(initial: unknown[] = []) {
    this.params.push(...initial);
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(condition: string): void {
    this.conditions.push(condition);
  }

  /** `column = $n`, or for "!=" a NULL-safe inequality. */
  string(column: string, c: StringCriterion): void {
    const p = this.param(c.value);
    this.add(c.operator === '=' ? `${column} = ${p}` : `${column} IS DISTINCT FROM ${p}`);
  }

  int(column: string, c: IntCriterion): void {
    const p = this.param(c.value);
    this.add(
      c.operator === '!=' ? `${column} IS DISTINCT FROM ${p}` : `${column} ${c.operator} ${p}`,
    );
  }

  range(column: string, r: DateRange): void {
    if (r.start !== null) this.add(`${column} >= ${this.param(r.start)}`);
    if (r.end !== null) this.add(`${column} <= ${this.param(r.end)}`);
  }

  where(): string {
    return this.conditions.length === 0 ? 'TRUE' : this.conditions.join(' AND ');
  }
}
