import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import {
  Api,
  createMerchant,
  PARTNER_KEY,
  startTestApp,
  TestApp,
  TestMerchant,
} from './support/test-app';

const run = promisify(execFile);

/**
 * After a session of use (merchants, API keys, vaulted cards and bank accounts, charges with a
 * CVC, a processor's gateway key, all with idempotency keys so responses are stored), a dump
 * of the whole database holds no full API key, card number, CVC or account number.
 *
 * The dump is `pg_dump` when one that can read the server is installed (the machine's
 * PostgreSQL 15 for a PostgreSQL 15 server). The embedded PostgreSQL ships no pg_dump, and a
 * pg_dump older than the server refuses to run; then every row of every table is read over
 * the app's own connection (the data pg_dump would write, as JSON lines).
 */

const CARD = '378282246310005'; // the sandbox's American Express card
const CVC = '8264'; // four digits: an Amex CID
const ACCOUNT = '48120399576';
const GATEWAY_KEY = 'gw_remote_secret_5e6b0a9d';

let keyCounter = 0;
const idem = () => ({ 'x-idempotency-key': `secrets-${Date.now()}-${++keyCounter}` });

async function pgDump(
  databaseUrl: string,
  dataSource: DataSource,
): Promise<{ text: string; how: string }> {
  const [{ server_version_num }] = await dataSource.query('SHOW server_version_num');
  const serverMajor = Math.floor(Number(server_version_num) / 10000);
  for (const bin of ['pg_dump', `/usr/lib/postgresql/${serverMajor}/bin/pg_dump`]) {
    try {
      const { stdout: version } = await run(bin, ['--version']);
      const major = Number(/(\d+)\./.exec(version)?.[1] ?? 0);
      if (major < serverMajor) continue;
      const { stdout } = await run(bin, ['--no-owner', databaseUrl], {
        maxBuffer: 512 * 1024 * 1024,
      });
      return { text: stdout, how: `${bin} ${major}` };
    } catch {
      // not installed, or cannot read this server: try the next
    }
  }
  // No usable pg_dump (the embedded server): the same rows, read directly.
  const tables: { s: string; t: string }[] = await dataSource.query(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const parts: string[] = [];
  for (const { s, t } of tables) {
    const rows: Record<string, unknown>[] = await dataSource.query(`SELECT * FROM "${s}"."${t}"`);
    parts.push(`-- ${s}.${t}`, ...rows.map((r) => JSON.stringify(r)));
  }
  return {
    text: parts.join('\n'),
    how: 'every row of every table, read directly (no pg_dump for this server)',
  };
}

describe('secrets at rest: a database dump after a session of use', () => {
  let t: TestApp;
  let a: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('contains no full API key, card number, CVC or account number', async () => {
    const secrets: string[] = [CARD, ACCOUNT, GATEWAY_KEY];
    // A merchant through the partner endpoint (its response holds two new keys), stored for replay.
    const partner = new Api(t.baseUrl, PARTNER_KEY);
    const merchant = await partner.post(
      '/api/partner/merchants',
      { name: 'Dump', timezone: 'UTC' },
      idem(),
    );
    expect(merchant.status).toBe(200);
    secrets.push(
      merchant.body.data.api_keys.private.api_key,
      merchant.body.data.api_keys.public.api_key,
    );
    a = await createMerchant(t.baseUrl);
    secrets.push(a.privateKey, a.publicKey);

    // A new API key with an idempotency key: its response is stored, and replayed the same.
    const headers = idem();
    const created = await a.api.post('/api/user/apikey', { type: 'api', name: 'dump' }, headers);
    expect(created.status).toBe(200);
    secrets.push(created.body.data.api_key);
    const replay = await a.api.post('/api/user/apikey', { type: 'api', name: 'dump' }, headers);
    expect(replay.headers.get('x-idempotent-replayed')).toBe('true');
    expect(replay.body.data.api_key).toBe(created.body.data.api_key);

    const customer = await a.api.post(
      '/api/vault/customer',
      {
        description: 'dump',
        default_payment: { card: { number: CARD, expiration_date: '12/39' } },
      },
      idem(),
    );
    expect(customer.status).toBe(200);
    const ach = await a.api.post(
      '/api/vault/customer',
      {
        default_payment: {
          ach: {
            routing_number: '490000018',
            account_number: ACCOUNT,
            account_type: 'checking',
            sec_code: 'web',
          },
        },
      },
      idem(),
    );
    expect(ach.status).toBe(200);
    const sale = await a.api.post(
      '/api/transaction',
      {
        type: 'sale',
        amount: 1234,
        payment_method: {
          card: { entry_type: 'keyed', number: CARD, expiration_date: '12/39', cvc: CVC },
        },
      },
      idem(),
    );
    expect(sale.status).toBe(200);
    const processor = await a.api.post(
      '/api/processor',
      {
        name: 'Remote',
        gateway: { kind: 'http', base_url: 'https://gateway.example', api_key: GATEWAY_KEY },
      },
      idem(),
    );
    expect(processor.status).toBe(200);

    const dataSource = t.app.get(DataSource);
    const stored: { n: number }[] = await dataSource.query(
      `SELECT count(*)::int AS n FROM idempotency_keys WHERE state = 'completed'`,
    );
    expect(stored[0].n).toBeGreaterThanOrEqual(6);

    const { text, how } = await pgDump(t.databaseUrl, dataSource);
    process.stdout.write(`secrets-at-rest dump: ${how}, ${text.length} characters\n`);
    expect(text).toContain('idempotency_keys');
    for (const secret of secrets)
      expect({ how, found: text.includes(secret) }).toEqual({ how, found: false });
    // A CVC is four digits: look for it as a value, not inside hex or base64, nor as the
    // fraction of a timestamp (PostgreSQL writes 12:00:01.826400 as 12:00:01.8264). Other
    // suites' rows share this run's database, and any four digits can be one of their counts
    // or event sequence numbers, so the CVC is looked for in this merchant's rows.
    const ours = text
      .split('\n')
      .filter((line) => line.includes(a.id))
      .join('\n');
    expect(ours.length).toBeGreaterThan(0);
    const cvcAsValue = new RegExp(`(^|[^0-9A-Za-z_.-])${CVC}([^0-9A-Za-z_-]|$)`, 'm');
    const hit = cvcAsValue.exec(ours);
    expect(hit && ours.slice(Math.max(0, hit.index - 300), hit.index + 100)).toBeNull();
    // The masked forms are there: the dump is of the right database.
    expect(text).toContain('0005');
  });
});
