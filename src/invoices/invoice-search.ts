/**
 * POST /api/invoices/search: the spec's criteria (id, amount_due with its operators,
 * date_due range, limit, offset) and Rebill's additions (status, customer_id,
 * customer_number, invoice_number). Parsing is pure; the service turns it into SQL. Dates
 * without a time are days in the merchant's time zone, as everywhere.
 */
import { readDateInput } from '../billing-calc/calendar';
import { ValidationError } from '../platform/errors/errors';
import { InvoiceStatus } from './invoice.entity';

export interface InvoiceSearch {
  id: { operator: '=' | '!='; value: string } | null;
  amountDue: { operator: '=' | '!=' | '<' | '>'; value: number } | null;
  dateDue: { start: Date | null; end: Date | null } | null;
  statuses: InvoiceStatus[] | null;
  customerId: string | null;
  customerNumber: string | null;
  invoiceNumber: string | null;
  limit: number;
  offset: number;
}

export const SEARCHABLE_STATUSES: readonly InvoiceStatus[] = [
  'pending',
  'partially_paid',
  'overdue',
  'paid',
  'cancelled',
];

type Body = Record<string, unknown>;

function criterion(body: Body, field: string): Body | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Body;
}

function operator<T extends string>(obj: Body, field: string, allowed: readonly T[]): T {
  const op = obj.operator ?? '=';
  if (typeof op !== 'string' || !(allowed as readonly string[]).includes(op)) {
    throw new ValidationError(
      `${field}.operator`,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
    );
  }
  return op as T;
}

/** A bare date is that day in the merchant's zone: a start_date from its start, an end_date to its end. */
function date(value: unknown, field: string, timeZone: string, edge: 'start' | 'end'): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const problem = 'must be a real date ("2024-01-31") or date-time ("2024-01-31T00:00:00Z")';
  if (typeof value !== 'string') throw new ValidationError(field, problem);
  const read = readDateInput(value, timeZone, edge);
  if (!read.ok) throw new ValidationError(field, problem);
  return read.instant;
}

function integer(value: unknown, field: string, min: number, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalText(body: Body, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  return value;
}

function statuses(value: unknown): InvoiceStatus[] | null {
  if (value === undefined || value === null || value === '') return null;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new ValidationError('status', 'must list at least one status');
  if (list.length > SEARCHABLE_STATUSES.length) {
    throw new ValidationError('status', `must list at most ${SEARCHABLE_STATUSES.length} statuses`);
  }
  return list.map((s, i) => {
    if (typeof s !== 'string' || !(SEARCHABLE_STATUSES as readonly string[]).includes(s)) {
      const field = Array.isArray(value) ? `status[${i}]` : 'status';
      throw new ValidationError(
        field,
        `must be one of ${SEARCHABLE_STATUSES.map((x) => `"${x}"`).join(', ')}`,
      );
    }
    return s as InvoiceStatus;
  });
}

export function parseInvoiceSearch(body: Body, timeZone: string): InvoiceSearch {
  const id = criterion(body, 'id');
  const amountDue = criterion(body, 'amount_due');
  const dateDue = criterion(body, 'date_due');
  let idCriterion: InvoiceSearch['id'] = null;
  if (id !== null) {
    if (typeof id.value !== 'string' || id.value === '') {
      throw new ValidationError('id.value', 'must be a non-empty string');
    }
    idCriterion = { operator: operator(id, 'id', ['=', '!='] as const), value: id.value };
  }
  let amountCriterion: InvoiceSearch['amountDue'] = null;
  if (amountDue !== null) {
    const value = integer(amountDue.value, 'amount_due.value', 0, Number.MAX_SAFE_INTEGER);
    if (value === null) throw new ValidationError('amount_due.value', 'is required');
    amountCriterion = {
      operator: operator(amountDue, 'amount_due', ['=', '!=', '<', '>'] as const),
      value,
    };
  }
  let dateCriterion: InvoiceSearch['dateDue'] = null;
  if (dateDue !== null) {
    const start = date(dateDue.start_date, 'date_due.start_date', timeZone, 'start');
    const end = date(dateDue.end_date, 'date_due.end_date', timeZone, 'end');
    if (start && end && start.getTime() > end.getTime()) {
      throw new ValidationError('date_due', 'start_date must not be after end_date');
    }
    dateCriterion = { start, end };
  }
  const limit = integer(body.limit, 'limit', 0, 100);
  const offset = integer(body.offset, 'offset', 0, 1_000_000);
  return {
    id: idCriterion,
    amountDue: amountCriterion,
    dateDue: dateCriterion,
    statuses: statuses(body.status),
    customerId: optionalText(body, 'customer_id'),
    customerNumber: optionalText(body, 'customer_number'),
    invoiceNumber: optionalText(body, 'invoice_number'),
    limit: limit === null || limit === 0 ? 10 : limit,
    offset: offset ?? 0,
  };
}
