import { DataSource } from 'typeorm';
import { IdempotencyService } from '../src/platform/idempotency/idempotency.service';
import {
  Api,
  createMerchant,
  PARTNER_KEY,
  startTestApp,
  TestApp,
  TestMerchant,
} from './support/test-app';

describe('foundation: auth, envelope, errors, idempotency, correlation ids, health', () => {
  let t: TestApp;
  let anonymous: Api;
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    anonymous = new Api(t.baseUrl);
    a = await createMerchant(t.baseUrl, 'America/Chicago');
    b = await createMerchant(t.baseUrl, 'Europe/Berlin');
  });
  afterAll(async () => t.close());

  describe('authentication', () => {
    it('refuses a request with no key', async () => {
      const res = await anonymous.get('/api/user/apikeys');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringContaining('Authorization') });
    });

    it('refuses a key that does not exist', async () => {
      const res = await anonymous.withKey('api_doesnotexist1234567890').get('/api/user/apikeys');
      expect(res.status).toBe(401);
      expect(res.body.msg).toMatch(/does not exist or has been deleted/);
    });

    it('accepts "Authorization: <key>" and "Authorization: Bearer <key>"', async () => {
      expect((await anonymous.withKey(a.privateKey).get('/api/user')).status).toBe(200);
      expect((await anonymous.withKey(`Bearer ${a.privateKey}`).get('/api/user')).status).toBe(200);
    });

    it('refuses a public key where a private key is needed, and says so', async () => {
      const res = await anonymous.withKey(a.publicKey).get('/api/user/apikeys');
      expect(res.status).toBe(401);
      expect(res.body.msg).toMatch(/public key \(pub_\).*private API key \(api_\)/);
    });

    it('refuses a deleted key', async () => {
      const created = await a.api.post('/api/user/apikey', { type: 'api', name: 'short lived' });
      expect(created.status).toBe(200);
      const key: string = created.body.data.api_key;
      expect(key).toMatch(/^api_/);
      expect((await anonymous.withKey(key).get('/api/user')).status).toBe(200);
      const deleted = await a.api.delete(`/api/user/apikey/${encodeURIComponent(key)}`);
      expect(deleted.body).toEqual({ status: 'success', msg: 'success' });
      const after = await anonymous.withKey(key).get('/api/user');
      expect(after.status).toBe(401);
    });

    it('only the partner key creates merchants', async () => {
      const res = await a.api.post('/api/partner/merchants', { name: 'sneaky' });
      expect(res.status).toBe(401);
      expect(res.body.msg).toMatch(/partner/);
      const bad = await new Api(t.baseUrl, PARTNER_KEY).post('/api/partner/merchants', {
        timezone: 'Mars/Base',
        name: 'x',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toMatch(/timezone/);
    });
  });

  describe('users and API keys', () => {
    it('returns the current user shaped as in the spec', async () => {
      const res = await a.api.get('/api/user');
      expect(res.body.status).toBe('success');
      expect(Object.keys(res.body.data).sort()).toEqual(
        [
          'account_type',
          'account_type_id',
          'created_at',
          'email',
          'id',
          'name',
          'phone',
          'role',
          'status',
          'timezone',
          'updated_at',
          'username',
        ].sort(),
      );
      expect(res.body.data).toMatchObject({
        account_type: 'merchant',
        account_type_id: a.id,
        timezone: 'America/Chicago',
      });
    });

    it('shows the full key once, and only masked forms in lists', async () => {
      const created = await a.api.post('/api/user/apikey', { type: 'public', name: 'Tokenizer' });
      const full: string = created.body.data.api_key;
      expect(full).toMatch(/^pub_.{20,}/);
      const listed = await a.api.get('/api/user/apikeys');
      expect(listed.body.total_count).toBe(listed.body.data.length);
      const text = JSON.stringify(listed.body);
      expect(text).not.toContain(full);
      expect(
        listed.body.data.find((k: { id: string }) => k.id === created.body.data.id).api_key,
      ).toBe(`${full.slice(0, 8)}…${full.slice(-4)}`);
    });

    it('stores keys hashed', async () => {
      const created = await a.api.post('/api/user/apikey', { type: 'api', name: 'hash check' });
      const rows = await t.app
        .get(DataSource)
        .query('SELECT * FROM api_keys WHERE id = $1', [created.body.data.id]);
      expect(JSON.stringify(rows)).not.toContain(created.body.data.api_key);
    });

    it('names the field when creating a key with bad input', async () => {
      const res = await a.api.post('/api/user/apikey', { type: 'secret', name: 'x' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringContaining('type') });
      const noName = await a.api.post('/api/user/apikey', { type: 'api' });
      expect(noName.body.msg).toMatch(/name/);
    });
  });

  describe('tenancy', () => {
    it("keeps two merchants from seeing or deleting each other's keys", async () => {
      const aKeys = await a.api.get('/api/user/apikeys');
      const bKeys = await b.api.get('/api/user/apikeys');
      const aIds = aKeys.body.data.map((k: { id: string }) => k.id);
      const bIds = bKeys.body.data.map((k: { id: string }) => k.id);
      expect(aIds.filter((id: string) => bIds.includes(id))).toEqual([]);
      const res = await b.api.delete(`/api/user/apikey/${encodeURIComponent(a.publicKey)}`);
      expect(res.status).toBe(404);
      expect((await anonymous.withKey(a.publicKey).get('/api/user')).status).toBe(200);
      const byId = await b.api.delete(`/api/user/apikey/${aIds[0]}`);
      expect(byId.status).toBe(404);
    });
  });

  describe('envelope and errors', () => {
    it('answers an unknown route in the envelope', async () => {
      const res = await a.api.get('/api/no/such/route');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'failed', msg: 'not found: GET /api/no/such/route' });
    });

    it('answers malformed JSON with a 400 in the envelope', async () => {
      const res = await a.api.request('POST', '/api/user/apikey', '{"type": "api", ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringMatching(/malformed JSON/) });
    });

    it('accepts a GET or DELETE that carries an empty or {} JSON body', async () => {
      expect((await a.api.request('GET', '/api/user', '')).status).toBe(200);
      expect((await a.api.request('GET', '/api/user', '{}')).status).toBe(200);
      const created = await a.api.post('/api/user/apikey', {
        type: 'api',
        name: 'delete with body',
      });
      const res = await a.api.request('DELETE', `/api/user/apikey/${created.body.data.id}`, '{}');
      expect(res.status).toBe(200);
    });

    it('refuses a body that is not an object', async () => {
      const res = await a.api.post('/api/user/apikey', [1, 2]);
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/body/);
    });
  });

  describe('correlation ids', () => {
    it('returns a generated x-correlation-id on success and on failure', async () => {
      const ok = await a.api.get('/api/user');
      const fail = await anonymous.get('/api/user');
      expect(ok.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(fail.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(ok.headers.get('x-correlation-id')).not.toBe(fail.headers.get('x-correlation-id'));
    });

    it("echoes the request's own correlation id", async () => {
      const res = await a.api.get('/api/nowhere', { 'x-correlation-id': 'client-trace-42' });
      expect(res.headers.get('x-correlation-id')).toBe('client-trace-42');
    });
  });

  describe('idempotency (x-idempotency-key)', () => {
    const key = () => `idem-${Math.random().toString(36).slice(2)}-${Date.now()}`;

    it('replays the same bytes as the first response, and stores them sealed', async () => {
      const k = key();
      const send = () =>
        fetch(`${t.baseUrl}/api/recurring/plan`, {
          method: 'POST',
          headers: {
            authorization: a.privateKey,
            'content-type': 'application/json',
            'x-idempotency-key': k,
          },
          // Keys whose order jsonb would change (it sorts by length, then bytes).
          body: JSON.stringify({
            name: 'bytes',
            amount: 1000,
            billing_frequency: 'monthly',
            billing_cycle_interval: 1,
            billing_days: '1',
            duration: 0,
          }),
        });
      const first = await send();
      const firstText = await first.text();
      const second = await send();
      const secondText = await second.text();
      expect(first.status).toBe(200);
      expect(second.headers.get('x-idempotent-replayed')).toBe('true');
      expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
      expect(secondText).toBe(firstText);
      const { DataSource } = await import('typeorm');
      const rows: { response_sealed: string }[] = await t.app
        .get(DataSource)
        .query('SELECT response_sealed FROM idempotency_keys WHERE key = $1', [k]);
      expect(rows[0].response_sealed).toMatch(/^enc:v1:/);
      expect(rows[0].response_sealed).not.toContain('bytes');
    });

    it('replays the first response for the same key and body', async () => {
      const k = key();
      const first = await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'once' },
        { 'x-idempotency-key': k },
      );
      const second = await a.api.post(
        '/api/user/apikey',
        { name: 'once', type: 'api' },
        { 'x-idempotency-key': k },
      );
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('x-idempotent-replayed')).toBe('true');
      const keys = await a.api.get('/api/user/apikeys');
      expect(keys.body.data.filter((x: { name: string }) => x.name === 'once')).toHaveLength(1);
    });

    it('scopes keys per merchant', async () => {
      const k = key();
      const first = await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'scoped' },
        { 'x-idempotency-key': k },
      );
      const other = await b.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'scoped' },
        { 'x-idempotency-key': k },
      );
      expect(other.status).toBe(200);
      expect(other.body.data.id).not.toBe(first.body.data.id);
    });

    it('answers 422 when the same key comes with a different body', async () => {
      const k = key();
      await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'first body' },
        { 'x-idempotency-key': k },
      );
      const res = await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'second body' },
        { 'x-idempotency-key': k },
      );
      expect(res.status).toBe(422);
      expect(res.body.msg).toMatch(/different request/);
    });

    it('answers 409 while the first request with the key is still running', async () => {
      const k = key();
      const svc = t.app.get(IdempotencyService);
      // Claim the key as an in-flight request would, then send the same request.
      const { requestFingerprint } = await import('../src/platform/idempotency/stable-hash');
      const body = { type: 'api', name: 'in flight' };
      await svc.claim(
        a.id,
        k,
        'POST',
        '/api/user/apikey',
        requestFingerprint('POST', '/api/user/apikey', body),
      );
      const res = await a.api.post('/api/user/apikey', body, { 'x-idempotency-key': k });
      expect(res.status).toBe(409);
      expect(res.body.msg).toMatch(/still being processed/);
    });

    it('forgets a key after an hour (moving the clock)', async () => {
      const k = key();
      t.clock.setNow(new Date());
      const first = await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'expiring' },
        { 'x-idempotency-key': k },
      );
      t.clock.advance(59 * 60 * 1000);
      const replay = await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'expiring' },
        { 'x-idempotency-key': k },
      );
      expect(replay.body.data.id).toBe(first.body.data.id);
      t.clock.advance(2 * 60 * 1000);
      const fresh = await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'expiring' },
        { 'x-idempotency-key': k },
      );
      expect(fresh.status).toBe(200);
      expect(fresh.body.data.id).not.toBe(first.body.data.id);
      t.clock.advance(61 * 60 * 1000);
      const swept = await t.app.get(IdempotencyService).sweepExpired();
      expect(swept).toBeGreaterThan(0);
      t.clock.reset();
    });

    it('frees the key when the first request failed, so a corrected retry can use it', async () => {
      const k = key();
      const bad = await a.api.post(
        '/api/user/apikey',
        { type: 'nope', name: 'x' },
        { 'x-idempotency-key': k },
      );
      expect(bad.status).toBe(400);
      const again = await a.api.post(
        '/api/user/apikey',
        { type: 'nope', name: 'x' },
        { 'x-idempotency-key': k },
      );
      expect(again.status).toBe(400);
    });

    it('refuses a key shorter than 10 characters', async () => {
      const res = await a.api.post(
        '/api/user/apikey',
        { type: 'api', name: 'x' },
        { 'x-idempotency-key': 'short' },
      );
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/x-idempotency-key/);
    });
  });

  describe('operations', () => {
    it('reports health with the database checked', async () => {
      const res = await anonymous.get('/health');
      expect(res.status).toBe(200);
      expect(res.body.data.database).toBe('ok');
    });

    it('serves Prometheus metrics and the OpenAPI document', async () => {
      const metrics = await anonymous.get('/metrics');
      expect(metrics.status).toBe(200);
      expect(String(metrics.body)).toContain('rebill_http_request_duration_seconds');
      const doc = await anonymous.get('/docs-json');
      expect(doc.body.paths['/api/user/apikeys']).toBeDefined();
    });
  });
});
