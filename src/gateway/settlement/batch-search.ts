/**
 * Spec: POST /api/settlement/batch/search: batch_date {start_date, end_date} (UTC),
 * settlement_batch_id {operator "=" | "!=", value}, limit 1–100 (default 10), offset 0–1000.
 * Columns come from code, values travel as parameters.
 */
import { ValidationError } from '../../platform/errors/errors';
import { Body, optionalInteger } from '../../platform/http/input';
import { parseDateRange, parseStringCriterion, SqlConditions } from '../search/query-search';

export interface BatchSearch {
  sql: SqlConditions;
  limit: number;
  offset: number;
}

export function parseBatchSearch(merchantId: string, body: Body): BatchSearch {
  for (const key of Object.keys(body)) {
    if (!['batch_date', 'settlement_batch_id', 'terminal_id', 'limit', 'offset'].includes(key)) {
      throw new ValidationError(key, 'is not a searchable field');
    }
  }
  const sql = new SqlConditions([merchantId]);
  sql.add('b.merchant_id = $1');
  const range = parseDateRange(body.batch_date, 'batch_date');
  if (range !== null) sql.range('b.batch_date', range);
  const id = parseStringCriterion(body.settlement_batch_id, 'settlement_batch_id');
  if (id !== null) sql.string('b.id', id);
  // Rebill: a terminal's batches.
  const terminal = parseStringCriterion(body.terminal_id, 'terminal_id');
  if (terminal !== null) sql.string(`coalesce(b.terminal_id, '')`, terminal);
  const limit = optionalInteger(body.limit, 'limit', 1, 100) ?? 10;
  const offset = optionalInteger(body.offset, 'offset', 0, 1000) ?? 0;
  return { sql, limit, offset };
}
