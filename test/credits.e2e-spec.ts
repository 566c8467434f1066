import { DataSource } from 'typeorm';
import { CustomerCreditsService } from '../src/credits/customer-credits.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

describe('customer credit balance', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let customerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
    const res = await a.api.post('/api/vault/customer', {
      description: 'credit customer',
      default_payment: { card: { number: '4111111111111111', expiration_date: '12/39' } },
    });
    expect(res.status).toBe(200);
    customerId = res.body.data.id;
  });
  afterAll(async () => t.close());

  it('starts empty, grants manual credit and shows each entry', async () => {
    const empty = await a.api.get(`/api/vault/customer/${customerId}/credit`);
    expect(empty.status).toBe(200);
    expect(empty.body.data).toEqual({ customer_id: customerId, balances: {}, entries: [] });

    const granted = await a.api.post(`/api/vault/customer/${customerId}/credit`, {
      amount: 1500,
      description: 'Goodwill for the outage',
    });
    expect(granted.status).toBe(200);
    expect(granted.body.data).toMatchObject({ balance: 1500, currency: 'USD' });
    await a.api.post(`/api/vault/customer/${customerId}/credit`, { amount: 250, currency: 'EUR' });

    const after = await a.api.get(`/api/vault/customer/${customerId}/credit`);
    expect(after.body.data.balances).toEqual({ EUR: 250, USD: 1500 });
    expect(after.body.data.entries.map((e: any) => [e.amount, e.reason, e.description])).toEqual([
      [250, 'manual', 'Credit granted'],
      [1500, 'manual', 'Goodwill for the outage'],
    ]);
  });

  it.each([
    [{ amount: 0 }, 'amount'],
    [{ amount: -5 }, 'amount'],
    [{ amount: 10.5 }, 'amount'],
    [{ amount: '100' }, 'amount'],
    [{}, 'amount'],
    [{ amount: 100, currency: 'usd' }, 'currency'],
    [{ amount: 100, description: 'x'.repeat(501) }, 'description'],
    [{ amount: 100, description: 'a\u0000b' }, 'description'],
  ])('refuses %j naming %s, changing nothing', async (body, field) => {
    const before = await a.api.get(`/api/vault/customer/${customerId}/credit`);
    const res = await a.api.post(`/api/vault/customer/${customerId}/credit`, body);
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('failed');
    expect(res.body.msg).toContain(field);
    const after = await a.api.get(`/api/vault/customer/${customerId}/credit`);
    expect(after.body.data).toEqual(before.body.data);
  });

  it("another merchant's customer is not found, for reading and for granting", async () => {
    expect((await b.api.get(`/api/vault/customer/${customerId}/credit`)).status).toBe(404);
    expect(
      (await b.api.post(`/api/vault/customer/${customerId}/credit`, { amount: 100 })).status,
    ).toBe(404);
    expect((await a.api.post(`/api/vault/customer/nope/credit`, { amount: 100 })).status).toBe(404);
  });

  it('a public key cannot grant credit', async () => {
    const res = await a.api
      .withKey(a.publicKey)
      .post(`/api/vault/customer/${customerId}/credit`, { amount: 1 });
    expect(res.status).toBe(401);
  });

  it('consumption takes at most the balance, once per source, and the balance never goes negative', async () => {
    const credits = t.app.get(CustomerCreditsService);
    const ds = t.app.get(DataSource);
    const use = (sourceId: string, upTo: number) =>
      ds.transaction((em) =>
        credits.consume(em, {
          merchantId: a.id,
          customerId,
          currency: 'USD',
          upTo,
          sourceType: 'invoice',
          sourceId,
          description: `Applied to ${sourceId}`,
        }),
      );
    expect(await use('inv_1', 1000)).toBe(1000);
    // a retry of the same invoice consumes nothing more
    expect(await use('inv_1', 1000)).toBe(1000);
    expect(await credits.balance(a.id, customerId, 'USD')).toBe(500);
    // two invoices at once: together they cannot take more than the 500 left
    const [x, y] = await Promise.all([use('inv_2', 400), use('inv_3', 400)]);
    expect(x + y).toBe(500);
    expect(await credits.balance(a.id, customerId, 'USD')).toBe(0);
    expect(await use('inv_4', 100)).toBe(0);
    // the entries add up to the balance
    const [{ sum }] = await ds.query(
      `SELECT COALESCE(SUM(amount), 0)::bigint AS sum FROM customer_credit_entries
        WHERE merchant_id = $1 AND customer_id = $2 AND currency = 'USD'`,
      [a.id, customerId],
    );
    expect(Number(sum)).toBe(0);
  });

  it('entries are append-only in the database', async () => {
    const ds = t.app.get(DataSource);
    await expect(
      ds.query(`UPDATE customer_credit_entries SET amount = 1 WHERE merchant_id = $1`, [a.id]),
    ).rejects.toThrow(/append-only/);
  });
});
