import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

describe('processors', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
  });
  afterAll(async () => t.close());

  it('gives a new merchant one default sandbox processor with no fees', async () => {
    const res = await a.api.get('/api/processors');
    expect(res.status).toBe(200);
    expect(res.body.total_count).toBe(1);
    expect(res.body.data[0]).toMatchObject({
      is_default: true,
      default_tax_rate: 0,
      service_fee: null,
      fee_program: 'none',
      gateway: { kind: 'sandbox' },
    });
  });

  it('creates, updates, switches the default and deletes a processor', async () => {
    const created = await a.api.post('/api/processor', {
      name: 'Surcharging',
      fee_program: 'surcharge',
      fee_program_rate: 3500,
      fee_program_cap: 3000,
      default_tax_rate: 8250,
      service_fee: { type: 'flat', value: 150 },
    });
    expect(created.status).toBe(200);
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({
      fee_program: 'surcharge',
      fee_program_rate: 3500,
      service_fee: { type: 'flat', value: 150 },
    });

    const updated = await a.api.put(`/api/processor/${id}`, {
      is_default: true,
      add_tax_to_total: true,
    });
    expect(updated.body.data).toMatchObject({ is_default: true, add_tax_to_total: true });
    const all = await a.api.get('/api/processors');
    expect(all.body.data.filter((p: { is_default: boolean }) => p.is_default)).toHaveLength(1);

    const refused = await a.api.delete(`/api/processor/${id}`);
    expect(refused.status).toBe(409);
    const other = all.body.data.find((p: { id: string }) => p.id !== id);
    await a.api.put(`/api/processor/${other.id}`, { is_default: true });
    expect((await a.api.delete(`/api/processor/${id}`)).status).toBe(200);
    expect((await a.api.get(`/api/processor/${id}`)).status).toBe(404);
  });

  it('names the field on bad settings and changes nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: '' }, /name/],
      [{ name: 'x', fee_program: 'magic' }, /fee_program/],
      [{ name: 'x', fee_program_rate: 100001 }, /fee_program_rate/],
      [{ name: 'x', default_tax_rate: 1.5 }, /default_tax_rate/],
      [{ name: 'x', service_fee: { type: 'flat', value: -1 } }, /service_fee.value/],
      [{ name: 'x', gateway: { kind: 'http', base_url: 'ftp://x' } }, /gateway.base_url/],
    ];
    const before = (await a.api.get('/api/processors')).body.total_count;
    for (const [body, field] of cases) {
      const res = await a.api.post('/api/processor', body);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('failed');
      expect(res.body.msg).toMatch(field);
    }
    expect((await a.api.get('/api/processors')).body.total_count).toBe(before);
  });

  it('points a processor at an http gateway with a sealed API key that is never shown', async () => {
    const res = await a.api.post('/api/processor', {
      name: 'Remote gateway',
      gateway: {
        kind: 'http',
        base_url: 'http://127.0.0.1:9/',
        api_key: 'api_remote_gateway_key_123',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.gateway).toEqual({
      kind: 'http',
      base_url: 'http://127.0.0.1:9',
      api_key_set: true,
    });
    expect(JSON.stringify(res.body)).not.toContain('api_remote_gateway_key_123');
    const { DataSource } = await import('typeorm');
    const rows = await t.app
      .get(DataSource)
      .query('SELECT * FROM processors WHERE id = $1', [res.body.data.id]);
    expect(JSON.stringify(rows)).not.toContain('api_remote_gateway_key_123');
    const sandboxKey = await a.api.post('/api/processor', {
      name: 'x',
      gateway: { kind: 'sandbox', api_key: 'whatever12' },
    });
    expect(sandboxKey.status).toBe(400);
    expect(sandboxKey.body.msg).toMatch(/gateway.api_key/);
  });

  it("keeps one merchant out of another's processors", async () => {
    const mine = (await a.api.get('/api/processors')).body.data[0].id;
    expect((await b.api.get(`/api/processor/${mine}`)).status).toBe(404);
    expect((await b.api.put(`/api/processor/${mine}`, { name: 'hijack' })).status).toBe(404);
    expect((await b.api.delete(`/api/processor/${mine}`)).status).toBe(404);
  });
});

describe('processors: gateway URLs under the outbound guard (private addresses not allowed)', () => {
  let t: TestApp;
  let a: TestMerchant;
  beforeAll(async () => {
    t = await startTestApp({ REBILL_OUTBOUND_ALLOW_PRIVATE: 'false' });
    a = await createMerchant(t.baseUrl);
  });
  afterAll(async () => t.close());

  it.each([
    'http://127.0.0.1:9',
    'http://169.254.169.254/latest',
    'http://10.0.0.8',
    'http://192.168.0.1:8080',
    'http://[::1]:3000',
    'http://localhost:3000',
  ])('refuses gateway.base_url %s with a 400 naming the field and stores nothing', async (url) => {
    const before = (await a.api.get('/api/processors')).body.total_count;
    const res = await a.api.post('/api/processor', {
      name: 'Internal',
      gateway: { kind: 'http', base_url: url },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 'failed',
      msg: expect.stringMatching(/gateway.base_url/),
    });
    expect((await a.api.get('/api/processors')).body.total_count).toBe(before);
  });

  it('refuses the same on update, and accepts a public host', async () => {
    const created = await a.api.post('/api/processor', {
      name: 'Public',
      gateway: { kind: 'http', base_url: 'https://gateway.example' },
    });
    expect(created.status).toBe(200);
    const res = await a.api.put(`/api/processor/${created.body.data.id}`, {
      gateway: { kind: 'http', base_url: 'http://127.0.0.1:9' },
    });
    expect(res.status).toBe(400);
    expect(res.body.msg).toMatch(/gateway.base_url/);
  });

  it('refuses a 1,000,000-character name', async () => {
    const res = await a.api.post('/api/processor', { name: 'x'.repeat(1_000_000) });
    expect(res.status).toBe(400);
    expect(res.body.msg).toMatch(/name/);
  });
});
