import { Client } from 'pg';
import { Api, createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * The in-process caches of keys, users and processors (src/platform/database/
 * change-notifications.ts): a change made anywhere, even by raw SQL from another connection
 * (another process), reaches this process through NOTIFY within a bounded time.
 */
describe('caches of keys and processors follow changes made anywhere', () => {
  let t: TestApp;
  let a: TestMerchant;
  let sql: Client;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    sql = new Client({ connectionString: t.databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await t.close();
  });

  /** Polls until `check` holds; the bound is generous for a loaded machine. */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return Date.now() - start;
  }

  it('refuses a key deleted by another process, and a disabled user’s keys', async () => {
    const created = await a.api.post('/api/user/apikey', { type: 'api', name: 'elsewhere' });
    const key = created.body.data.api_key as string;
    const api = new Api(t.baseUrl, key);
    expect((await api.get('/api/user')).status).toBe(200);
    expect((await api.get('/api/user')).status).toBe(200); // now cached
    await sql.query('UPDATE api_keys SET deleted_at = now() WHERE id = $1', [created.body.data.id]);
    await within(5000, async () => (await api.get('/api/user')).status === 401);

    expect((await a.api.get('/api/user')).status).toBe(200);
    await sql.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [a.userId]);
    await within(5000, async () => (await a.api.get('/api/user')).status === 401);
    await sql.query(`UPDATE users SET status = 'active' WHERE id = $1`, [a.userId]);
    await within(5000, async () => (await a.api.get('/api/user')).status === 200);
  });

  it('stops using a processor setting changed by another process', async () => {
    const body = { amount: 10000, payment_method: 'card', transaction_type: 'sale' };
    const before = await a.api.post('/api/calculate/amounts', body);
    expect(before.status).toBe(200);
    const tax = before.body.data.tax_amount;
    await sql.query('UPDATE processors SET default_tax_rate = 10000 WHERE merchant_id = $1', [
      a.id,
    ]);
    await within(5000, async () => {
      const res = await a.api.post('/api/calculate/amounts', body);
      return res.body.data.tax_amount !== tax && res.body.data.tax_amount === 1000;
    });
  });

  it('sees this process’s own changes on the very next request', async () => {
    const created = await a.api.post('/api/user/apikey', { type: 'api', name: 'short' });
    const key = created.body.data.api_key as string;
    const api = new Api(t.baseUrl, key);
    expect((await api.get('/api/user')).status).toBe(200);
    expect((await a.api.delete(`/api/user/apikey/${created.body.data.id}`)).status).toBe(200);
    expect((await api.get('/api/user')).status).toBe(401);
  });
});
