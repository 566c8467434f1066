import { DataSource, EntityManager } from 'typeorm';

/**
 * Clones one subscription `count` times, straight in SQL: benchmarks and the exactly-once
 * tests need thousands of subscriptions due on one date, faster than the API makes them.
 * Every column is copied except the id (and the dates given).
 */
export async function cloneSubscription(
  db: DataSource | EntityManager,
  templateId: string,
  count: number,
  options: { idPrefix: string; nextBillDate: string },
): Promise<string[]> {
  const columns: { column_name: string }[] = await db.query(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'subscriptions' ORDER BY ordinal_position`,
  );
  const names = columns.map((c) => c.column_name);
  const select = names.map((n) => {
    if (n === 'id') return `$2 || lpad(g::text, 7, '0')`;
    if (n === 'next_bill_date') return `$3::date`;
    return `s.${n}`;
  });
  const rows: { id: string }[] = await db.query(
    `INSERT INTO subscriptions (${names.join(', ')})
     SELECT ${select.join(', ')} FROM subscriptions s, generate_series(1, $4::int) g WHERE s.id = $1
     RETURNING id`,
    [templateId, options.idPrefix, options.nextBillDate, count],
  );
  return rows.map((r) => r.id);
}
