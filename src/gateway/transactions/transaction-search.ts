/**
 * Spec: Search Transactions. Every criterion maps to a column chosen here, never to text
 * from the request; values travel as parameters.
 */
import { ValidationError } from '../../platform/errors/errors';
import { Body, optionalObject } from '../../platform/http/input';
import {
  parseDateRange,
  parseIntCriterion,
  parsePaging,
  parseStringCriterion,
  SqlConditions,
} from '../search/query-search';

const STRING_FIELDS: Record<string, string> = {
  transaction_id: 't.id',
  user_id: 't.user_id',
  type: 't.type',
  ip_address: 't.ip_address',
  po_number: 't.po_number',
  order_id: 't.order_id',
  payment_method: 't.payment_method',
  payment_type: 't.payment_type',
  status: 't.status',
  processor_id: 't.processor_id',
  customer_id: 't.customer_id',
  // Rebill: the body's idempotency_key, to find an attempt whose answer was lost.
  idempotency_key: 't.idempotency_key',
  terminal_id: 't.terminal_id',
  settlement_batch_id: 't.settlement_batch_id',
};

const INT_FIELDS: Record<string, string> = {
  amount: 't.amount',
  amount_authorized: 't.amount_authorized',
  amount_captured: 't.amount_captured',
  amount_settled: 't.amount_settled',
  tax_amount: 't.tax_amount',
  batch_number: 't.batch_number',
};

const DATE_FIELDS: Record<string, string> = {
  created_at: 't.created_at',
  captured_at: 't.captured_at',
  settled_at: 't.settled_at',
};

const ADDRESS_KEYS = [
  'address_id',
  'first_name',
  'last_name',
  'company',
  'address_line_1',
  'address_line_2',
  'city',
  'state',
  'postal_code',
  'country',
  'email',
  'phone',
  'fax',
];

const TOP_LEVEL = [
  ...Object.keys(STRING_FIELDS),
  ...Object.keys(INT_FIELDS),
  ...Object.keys(DATE_FIELDS),
  'billing_address',
  'shipping_address',
  'limit',
  'offset',
];

export interface TransactionSearch {
  sql: SqlConditions;
  limit: number;
  offset: number;
}

/** Conditions for a merchant's search; `$1` is the merchant id. */
export function parseTransactionSearch(merchantId: string, raw: Body): TransactionSearch {
  const body = nestDottedKeys(raw);
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL.includes(key)) throw new ValidationError(key, 'is not a searchable field');
  }
  const sql = new SqlConditions([merchantId]);
  sql.add('t.merchant_id = $1');
  for (const [field, column] of Object.entries(STRING_FIELDS)) {
    const c = parseStringCriterion(body[field], field);
    if (c === null) continue;
    // The spec calls ACH "echeck" in payment_type.
    if (field === 'payment_type' && c.value === 'echeck') c.value = 'ach';
    sql.string(column, c);
  }
  for (const [field, column] of Object.entries(INT_FIELDS)) {
    const c = parseIntCriterion(body[field], field);
    if (c !== null) sql.int(column, c);
  }
  for (const [field, column] of Object.entries(DATE_FIELDS)) {
    const r = parseDateRange(body[field], field);
    if (r !== null) sql.range(column, r);
  }
  for (const which of ['billing_address', 'shipping_address']) {
    const obj = optionalObject(body[which], which);
    if (obj === undefined) continue;
    for (const key of Object.keys(obj)) {
      if (!ADDRESS_KEYS.includes(key))
        throw new ValidationError(`${which}.${key}`, 'is not a searchable field');
      const c = parseStringCriterion(obj[key], `${which}.${key}`);
      if (c === null) continue;
      const jsonKey = key === 'address_id' ? 'address_id' : key;
      // which and jsonKey come from the lists above, never from the request.
      sql.string(`(t.${which} ->> '${jsonKey}')`, c);
    }
  }
  const paging = parsePaging(body, { limit: 10, maxLimit: 100, maxOffset: 1_000_000 });
  return { sql, ...paging };
}

/** `{"billing_address.first_name": {...}}` reads like `{"billing_address": {"first_name": {...}}}`. */
function nestDottedKeys(body: Body): Body {
  const out: Body = {};
  for (const [key, value] of Object.entries(body)) {
    const dot = key.indexOf('.');
    if (dot === -1) {
      const earlier = out[key];
      out[key] =
        earlier !== undefined && typeof value === 'object' && value !== null
          ? { ...(earlier as Body), ...(value as Body) }
          : value;
      continue;
    }
    const head = key.slice(0, dot);
    const existing = optionalObject(out[head], head) ?? {};
    out[head] = { ...existing, [key.slice(dot + 1)]: value };
  }
  return out;
}
