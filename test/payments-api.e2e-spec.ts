import {
  Api,
  createMerchant,
  PARTNER_KEY,
  startTestApp,
  TestApp,
  TestMerchant,
} from './support/test-app';
import { APPROVED_CARD, createCard, DECLINED_CARD, V1Api } from './support/payments-api';

describe('payments API (/v1): conventions and payment intents', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let A: V1Api;
  let B: V1Api;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
    A = V1Api.of(a, t.baseUrl);
    B = V1Api.of(b, t.baseUrl);
  });
  afterAll(async () => t.close());

  const settle = (m: TestMerchant) => m.api.post('/api/sandbox/settle', {});

  async function intent(api: V1Api, body: Record<string, unknown> = {}) {
    const res = await api.post('/v1/payment_intents', { amount: 2500, ...body });
    expect(res.status).toBe(200);
    return res.body;
  }

  async function paid(api: V1Api, body: Record<string, unknown> = {}, card = APPROVED_CARD) {
    const pi = await intent(api, body);
    const pm = await createCard(api, card);
    const res = await api.post(`/v1/payment_intents/${pi.id}/payments`, { payment_method_id: pm });
    expect(res.status).toBe(200);
    return { pi, pm, payment: res.body };
  }

  describe('authentication', () => {
    it('refuses a request without x-api-key, in the one error shape', async () => {
      const res = await A.withKey(undefined).get('/v1/payment_intents');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        status: 'failed',
        msg: 'unauthorized: missing x-api-key header',
        error: { code: 'unauthorized', param: null },
      });
    });

    it("refuses an unknown key and the gateway API's Authorization header alone", async () => {
      expect((await A.withKey('api_nope').get('/v1/payment_intents')).status).toBe(401);
      const res = await new Api(t.baseUrl, a.privateKey).get('/v1/payment_intents');
      expect(res.status).toBe(401);
    });

    it('refuses a public key where a private key is needed, and accepts it to create a payment method', async () => {
      const pub = A.withKey(a.publicKey);
      const res = await pub.post('/v1/payment_intents', { amount: 100 });
      expect(res.status).toBe(401);
      expect(res.body.msg).toMatch(/public key/);
      const pm = await pub.post('/v1/payment_methods', {
        payment_method_type: 'card',
        card: { number: APPROVED_CARD, exp_month: 1, exp_year: 2040 },
      });
      expect(pm.status).toBe(200);
      expect(pm.body.card.masked_number).toBe('411111******1111');
      expect(JSON.stringify(pm.body)).not.toContain(APPROVED_CARD);
    });

    it("requires x-account-id, and it must be the key's own merchant (403)", async () => {
      const missing = await A.withKey(a.privateKey, null).post('/v1/payment_intents', {
        amount: 1,
      });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toEqual({ code: 'bad_request', param: 'x-account-id' });
      const other = await A.withKey(a.privateKey, b.id).get('/v1/payment_intents');
      expect(other.status).toBe(403);
      // The list accepts it left out (the spec marks it optional there): the key's merchant.
      expect((await A.withKey(a.privateKey, null).get('/v1/payment_intents')).status).toBe(200);
    });

    it('lets the partner key act for any merchant named by x-account-id', async () => {
      const created = await A.withKey(PARTNER_KEY, b.id).post('/v1/payment_intents', {
        amount: 700,
      });
      expect(created.status).toBe(200);
      expect(created.body.account_id).toBe(b.id);
      expect((await B.get(`/v1/payment_intents/${created.body.id}`)).status).toBe(200);
      expect((await A.get(`/v1/payment_intents/${created.body.id}`)).status).toBe(404);
      expect((await A.withKey(PARTNER_KEY, null).get('/v1/payment_intents')).status).toBe(400);
      expect(
        (await A.withKey(PARTNER_KEY, 'nosuchaccount').get('/v1/payment_intents')).status,
      ).toBe(404);
    });
  });

  describe('payment intents', () => {
    it("creates an intent with the spec's fields", async () => {
      const pi = await intent(A.with({ 'x-business-id': 'shop-1' }), {
        reference_id: 'order-1',
        description: 'Order 1',
        user_fields: { k: 'v' },
      });
      expect(pi).toMatchObject({
        entity: 'payment_intent',
        status: 'created',
        amount: 2500,
        merchant_amount: 2500,
        amount_authorized: 0,
        amount_captured: 0,
        amount_refunded: 0,
        amount_voided: 0,
        capture: true,
        currency: 'USD',
        latest_payment: null,
        account_id: a.id,
        partner_id: 'default',
        business_id: 'shop-1',
        reference_id: 'order-1',
        payment_method_types: ['card', 'bank'],
      });
      expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
      expect(Date.parse(pi.created_at)).not.toBeNaN();
    });

    it('refuses bad input naming the field, and changes nothing', async () => {
      for (const [body, param] of [
        [{}, 'amount'],
        [{ amount: -1 }, 'amount'],
        [{ amount: 1.5 }, 'amount'],
        [{ amount: 100, currency: 'EUR' }, 'currency'],
        [{ amount: 100, capture: 'yes' }, 'capture'],
        [{ amount: 100, payment_method_types: ['cash'] }, 'payment_method_types[0]'],
        [{ amount: 100, merchant_amount: 101 }, 'merchant_amount'],
        [{ amount: 100, colour: 'red' }, 'colour'],
      ] as const) {
        const res = await A.post('/v1/payment_intents', body);
        expect(res.status).toBe(400);
        expect(res.body.error.param).toBe(param);
      }
    });

    it('charges a vaulted card: the payment is the gateway transaction the gateway API shows', async () => {
      const { pi, pm, payment } = await paid(A);
      expect(payment.auth_response_text).toBe('Approved');
      expect(payment).toMatchObject({
        entity: 'payment',
        status: 'captured',
        amount: 2500,
        amount_authorized: 2500,
        amount_captured: 2500,
        payment_intent_id: pi.id,
        payment_method_id: pm,
        avs: 'Y',
        address_line1_check: 'pass',
        address_postal_code_check: 'pass',
        settlement_status: 'unsettled',
      });
      const tx = await a.api.get(`/api/transaction/${payment.transaction_id}`);
      expect(tx.status).toBe(200);
      expect(tx.body.data[0]).toMatchObject({
        id: payment.transaction_id,
        type: 'sale',
        amount: 2500,
      });
      const fetched = (await A.get(`/v1/payment_intents/${pi.id}`)).body;
      expect(fetched).toMatchObject({ status: 'captured', amount_captured: 2500 });
      expect(fetched.latest_payment.id).toBe(payment.id);
      await settle(a);
      const after = (await A.get(`/v1/payment_intents/${pi.id}`)).body;
      expect(after.settlement_status).toBe('settled');
      expect(after.latest_payment.settlement_status).toBe('settled');
    });

    it('a declined payment fails the intent, which can then be paid with another card', async () => {
      const { pi, payment } = await paid(A, {}, DECLINED_CARD);
      expect(payment.status).toBe('failed');
      expect(payment.auth_response_text).toMatch(/Insufficient funds/i);
      expect((await A.get(`/v1/payment_intents/${pi.id}`)).body.status).toBe('failed');
      const good = await createCard(A);
      const retry = await A.post(`/v1/payment_intents/${pi.id}/payments`, {
        payment_method_id: good,
      });
      expect(retry.body.status).toBe('captured');
      const list = await A.get(`/v1/payment_intents/${pi.id}/payments`);
      expect(list.body.data.map((p: any) => p.status)).toEqual(['captured', 'failed']);
    });

    it('authorizes with capture:false, captures part (never more than authorized)', async () => {
      const { pi, payment } = await paid(A, { capture: false });
      expect(payment.status).toBe('uncaptured');
      const over = await A.post(`/v1/payment_intents/${pi.id}/capture`, { amount: 2501 });
      expect(over.status).toBe(400);
      expect(over.body.error.param).toBe('amount');
      const cap = await A.post(`/v1/payment_intents/${pi.id}/capture`, { amount: 2000 });
      expect(cap.status).toBe(200);
      expect(cap.body).toMatchObject({
        status: 'captured',
        amount_authorized: 2500,
        amount_captured: 2000,
        amount_voided: 500,
      });
      const tx = await a.api.get(`/api/transaction/${payment.transaction_id}`);
      expect(tx.body.data[0]).toMatchObject({ type: 'authorize', amount_captured: 2000 });
      const again = await A.post(`/v1/payment_intents/${pi.id}/capture`, {});
      expect(again.status).toBe(409);
      expect(again.body.msg).toMatch(/captured/);
    });

    it('cancel voids an authorization', async () => {
      const { pi, payment } = await paid(A, { capture: false });
      const res = await A.post(`/v1/payment_intents/${pi.id}/cancel`, {
        cancellation_reason: 'requested_by_customer',
      });
      expect(res.body).toMatchObject({
        status: 'cancelled',
        amount_voided: 2500,
        cancellation_reason: 'requested_by_customer',
      });
      expect(res.body.latest_payment.status).toBe('voided');
      const tx = await a.api.get(`/api/transaction/${payment.transaction_id}`);
      expect(tx.body.data[0].status).toBe('voided');
    });

    it('refunds partly after settlement and never more than captured', async () => {
      const { pi, payment } = await paid(A);
      const early = await A.post(`/v1/payment_intents/${pi.id}/refunds`, { amount: 100 });
      expect(early.status).toBe(409);
      expect(early.body.msg).toMatch(/not settled/);
      await settle(a);
      const r1 = await A.post(`/v1/payment_intents/${pi.id}/refunds`, { amount: 1000 });
      expect(r1.status).toBe(200);
      expect(r1.body).toMatchObject({
        entity: 'refund',
        amount: 1000,
        payment_id: payment.id,
        method: 'refund',
      });
      const over = await A.post(`/v1/payment_intents/${pi.id}/refunds`, { amount: 1501 });
      expect(over.status).toBe(400);
      const r2 = await A.post(`/v1/payment_intents/${pi.id}/refunds`, {});
      expect(r2.body.amount).toBe(1500);
      const done = await A.post(`/v1/payment_intents/${pi.id}/refunds`, {});
      expect(done.status).toBe(409);
      const fetched = (await A.get(`/v1/payment_intents/${pi.id}`)).body;
      expect(fetched).toMatchObject({
        status: 'captured',
        amount_captured: 2500,
        amount_refunded: 2500,
      });
      const refundTx = await a.api.get(`/api/transaction/${r1.body.transaction_id}`);
      expect(refundTx.body.data[0]).toMatchObject({ type: 'refund', amount: 1000 });
      expect((await A.get(`/v1/refunds/${r1.body.id}`)).body.amount).toBe(1000);
      expect((await B.get(`/v1/refunds/${r1.body.id}`)).status).toBe(404);
    });

    it('a full refund before settlement voids the payment', async () => {
      const { pi, payment } = await paid(A);
      const r = await A.post(`/v1/payment_intents/${pi.id}/refunds`, {});
      expect(r.body).toMatchObject({ amount: 2500, method: 'void', status: 'succeeded' });
      const tx = await a.api.get(`/api/transaction/${payment.transaction_id}`);
      expect(tx.body.data[0].status).toBe('voided');
    });

    it('patches a created intent; refuses once paid', async () => {
      const pi = await intent(A);
      const res = await A.patch(`/v1/payment_intents/${pi.id}`, {
        amount: 3000,
        description: 'changed',
      });
      expect(res.body).toMatchObject({ amount: 3000, description: 'changed' });
      const { pi: paidPi } = await paid(A);
      const refused = await A.patch(`/v1/payment_intents/${paidPi.id}`, { amount: 1 });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('conflict');
    });

    it("keeps merchants apart: another merchant's intent, payment method and refund are 404", async () => {
      const { pi, pm } = await paid(A);
      expect((await B.get(`/v1/payment_intents/${pi.id}`)).status).toBe(404);
      expect((await B.post(`/v1/payment_intents/${pi.id}/cancel`, {})).status).toBe(404);
      expect((await B.get(`/v1/payment_methods/${pm}`)).status).toBe(404);
      const bpi = await intent(B);
      const res = await B.post(`/v1/payment_intents/${bpi.id}/payments`, { payment_method_id: pm });
      expect(res.status).toBe(404);
      const listB = await B.get('/v1/payment_intents?limit=50');
      expect(listB.body.data.every((i: any) => i.account_id === b.id)).toBe(true);
    });

    it('client_secret lets a browser pay its one intent with the public key, and nothing else', async () => {
      const pi = await intent(A);
      const other = await intent(A);
      const pub = A.withKey(a.publicKey);
      const pm = await createCard(pub);
      const none = await pub.post(`/v1/payment_intents/${pi.id}/payments`, {
        payment_method_id: pm,
      });
      expect(none.status).toBe(400);
      expect(none.body.error.param).toBe('client_secret');
      const wrong = await pub.post(`/v1/payment_intents/${pi.id}/payments`, {
        payment_method_id: pm,
        client_secret: other.client_secret,
      });
      expect(wrong.status).toBe(404);
      const paidRes = await pub.post(`/v1/payment_intents/${pi.id}/payments`, {
        payment_method_id: pm,
        client_secret: pi.client_secret,
      });
      expect(paidRes.status).toBe(200);
      expect(paidRes.body.status).toBe('captured');
      // The public key reads, captures, cancels and refunds nothing.
      expect((await pub.get(`/v1/payment_intents/${pi.id}`)).status).toBe(401);
      expect((await pub.post(`/v1/payment_intents/${pi.id}/refunds`, {})).status).toBe(401);
      expect((await pub.post(`/v1/payment_intents/${other.id}/cancel`, {})).status).toBe(401);
      // Another merchant's public key with the right secret finds nothing.
      const bpub = B.withKey(b.publicKey);
      const bpm = await createCard(bpub);
      const cross = await bpub.post(`/v1/payment_intents/${other.id}/payments`, {
        payment_method_id: bpm,
        client_secret: other.client_secret,
      });
      expect(cross.status).toBe(404);
    });

    it('replays an idempotent create', async () => {
      const headers = { 'x-idempotency-key': `pi-${Date.now()}-replay` };
      const first = await A.post('/v1/payment_intents', { amount: 999 }, headers);
      const second = await A.post('/v1/payment_intents', { amount: 999 }, headers);
      expect(second.body.id).toBe(first.body.id);
      expect(second.headers.get('x-idempotent-replayed')).toBe('true');
      const different = await A.post('/v1/payment_intents', { amount: 998 }, headers);
      expect(different.status).toBe(422);
    });

    it('an idempotent payment replay charges once', async () => {
      const pi = await intent(A);
      const pm = await createCard(A);
      const headers = { 'x-idempotency-key': `pay-${pi.id}` };
      const first = await A.post(
        `/v1/payment_intents/${pi.id}/payments`,
        { payment_method_id: pm },
        headers,
      );
      const second = await A.post(
        `/v1/payment_intents/${pi.id}/payments`,
        { payment_method_id: pm },
        headers,
      );
      expect(second.body.id).toBe(first.body.id);
      const third = await A.post(`/v1/payment_intents/${pi.id}/payments`, {
        payment_method_id: pm,
      });
      expect(third.status).toBe(409);
      const list = await A.get(`/v1/payment_intents/${pi.id}/payments`);
      expect(list.body.data).toHaveLength(1);
    });
  });

  describe('cursor pagination', () => {
    it('walks more than one page forwards and back, newest first', async () => {
      const m = await createMerchant(t.baseUrl);
      const api = V1Api.of(m, t.baseUrl);
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) ids.push((await intent(api, { amount: 100 + i })).id);
      const newestFirst = [...ids].reverse();
      const p1 = await api.get('/v1/payment_intents');
      expect(p1.body.data.map((x: any) => x.id)).toEqual(newestFirst.slice(0, 10));
      expect(p1.body.meta).toMatchObject({ limit: 10, has_more: true });
      const p2 = await api.get(`/v1/payment_intents?starting_after=${p1.body.meta.last_id}`);
      expect(p2.body.data.map((x: any) => x.id)).toEqual(newestFirst.slice(10, 20));
      const p3 = await api.get(`/v1/payment_intents?starting_after=${p2.body.meta.last_id}`);
      expect(p3.body.data.map((x: any) => x.id)).toEqual(newestFirst.slice(20));
      expect(p3.body.meta.has_more).toBe(false);
      const back = await api.get(`/v1/payment_intents?ending_before=${p3.body.meta.first_id}`);
      expect(back.body.data.map((x: any) => x.id)).toEqual(newestFirst.slice(10, 20));
      expect(back.body.meta.has_more).toBe(true);
      const first = await api.get(
        `/v1/payment_intents?ending_before=${back.body.meta.first_id}&limit=50`,
      );
      expect(first.body.data.map((x: any) => x.id)).toEqual(newestFirst.slice(0, 10));
      expect(first.body.meta.has_more).toBe(false);
      const all = await api.get('/v1/payment_intents?limit=50');
      expect(all.body.data).toHaveLength(23);
    });

    it('refuses a bad limit and a cursor from another merchant', async () => {
      expect((await A.get('/v1/payment_intents?limit=51')).body.error.param).toBe('limit');
      expect((await A.get('/v1/payment_intents?limit=0')).status).toBe(400);
      const bpi = await intent(B);
      const res = await A.get(`/v1/payment_intents?starting_after=${bpi.id}`);
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe('starting_after');
    });

    it('filters lists by x-business-id', async () => {
      const m = await createMerchant(t.baseUrl);
      const api = V1Api.of(m, t.baseUrl);
      await intent(api.with({ 'x-business-id': 'north' }));
      await intent(api.with({ 'x-business-id': 'south' }));
      const north = await api.with({ 'x-business-id': 'north' }).get('/v1/payment_intents');
      expect(north.body.data.map((i: any) => i.business_id)).toEqual(['north']);
      expect((await api.get('/v1/payment_intents')).body.data).toHaveLength(2);
    });
  });

  describe('search', () => {
    it('filters by status, reference and amount, with page and limit', async () => {
      const m = await createMerchant(t.baseUrl);
      const api = V1Api.of(m, t.baseUrl);
      await intent(api, { reference_id: 'r1', amount: 100 });
      await intent(api, { reference_id: 'r2', amount: 200 });
      await paid(api, { reference_id: 'r3', amount: 300 });
      const byStatus = await api.post('/v1/payment_intents/search', { status: 'captured' });
      expect(byStatus.body.data.map((i: any) => i.reference_id)).toEqual(['r3']);
      const byAmount = await api.post('/v1/payment_intents/search', {
        amount_min: 150,
        sort_column: 'amount',
        sort_direction: 'asc',
      });
      expect(byAmount.body.data.map((i: any) => i.amount)).toEqual([200, 300]);
      const page2 = await api.post('/v1/payment_intents/search', { limit: 2, page: 2 });
      expect(page2.body.data).toHaveLength(1);
      expect(page2.body.meta).toMatchObject({ total_count: 3, page: 2, limit: 2 });
      const bad = await api.post('/v1/payment_intents/search', { status: 'nope' });
      expect(bad.body.error.param).toBe('status');
    });
  });

  describe('payment methods', () => {
    it('fetches and updates billing details', async () => {
      const pm = await createCard(A);
      const got = await A.get(`/v1/payment_methods/${pm}`);
      expect(got.body).toMatchObject({
        entity: 'payment_method',
        payment_method_type: 'card',
        billing_details: { name: 'Jane Doe', address: { postal_code: '60187' } },
      });
      const upd = await A.request('PATCH', `/v1/payment_methods/${pm}`, {
        billing_details: { phone: '5551234', address: { city: 'Chicago' } },
      });
      expect(upd.status).toBe(200);
      expect(upd.body.billing_details).toMatchObject({
        name: 'Jane Doe',
        phone: '5551234',
        address: { city: 'Chicago', postal_code: '60187' },
      });
      expect((await A.request('PATCH', `/v1/payment_methods/${pm}`, {})).status).toBe(400);
    });
  });

  describe('external payments and refunds', () => {
    const external = (extra: Record<string, unknown> = {}) => ({
      payment_intent: { amount: 4000, reference_id: 'ext-1' },
      payment_method: { payment_method_type: 'card', last4: '4242', brand: 'visa' },
      gateway_response: { id: 'other-gw-123', auth_code: 'A1B2C3', status: 'approved' },
      ...extra,
    });

    it("records money that moved elsewhere, with the other gateway's answer", async () => {
      const res = await A.post('/v1/external/payment_intents', external());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        external: true,
        status: 'captured',
        amount: 4000,
        amount_captured: 4000,
        settlement_status: 'settled',
      });
      expect(res.body.latest_payment).toMatchObject({
        external: true,
        auth_code: 'A1B2C3',
        transaction_id: null,
        gateway_response: { authorization: { id: 'other-gw-123' } },
      });
      // Its follow-ups go through /v1/external, never through the gateway.
      const wrong = await A.post(`/v1/payment_intents/${res.body.id}/refunds`, {});
      expect(wrong.status).toBe(409);
      const refund = await A.post('/v1/external/refunds', {
        payment_intent_id: res.body.id,
        refund_request: { amount: 1500 },
        gateway_response: { id: 'other-gw-refund-1' },
      });
      expect(refund.body).toMatchObject({
        entity: 'refund',
        external: true,
        amount: 1500,
        method: 'external',
      });
      const over = await A.post('/v1/external/refunds', {
        payment_intent_id: res.body.id,
        refund_request: { amount: 2501 },
        gateway_response: {},
      });
      expect(over.status).toBe(400);
      expect((await A.get(`/v1/payment_intents/${res.body.id}`)).body.amount_refunded).toBe(1500);
      expect(
        (
          await B.post('/v1/external/refunds', {
            payment_intent_id: res.body.id,
            gateway_response: {},
          })
        ).status,
      ).toBe(404);
    });

    it('authorizes, then captures part or cancels, externally', async () => {
      const auth = await A.post(
        '/v1/external/payment_intents',
        external({ payment_intent: { amount: 4000, capture: false } }),
      );
      expect(auth.body.status).toBe('uncaptured');
      const cap = await A.post(`/v1/external/payment_intents/${auth.body.id}/capture`, {
        amount: 3000,
        gateway_capture_response: { id: 'cap-1' },
      });
      expect(cap.body).toMatchObject({
        status: 'captured',
        amount_captured: 3000,
        amount_voided: 1000,
      });
      const noCancel = await A.post(`/v1/external/payment_intents/${auth.body.id}/cancel`, {});
      expect(noCancel.status).toBe(409);
      const auth2 = await A.post(
        '/v1/external/payment_intents',
        external({ payment_intent: { amount: 4000, capture: false } }),
      );
      const cancelled = await A.post(`/v1/external/payment_intents/${auth2.body.id}/cancel`, {
        cancellation_reason: 'abandoned',
        gateway_void_response: { id: 'void-1' },
      });
      expect(cancelled.body).toMatchObject({ status: 'cancelled', amount_voided: 4000 });
      // A Rebill intent is not followed up through /v1/external.
      const { pi } = await paid(A, { capture: false });
      const mixed = await A.post(`/v1/external/payment_intents/${pi.id}/capture`, {
        gateway_capture_response: {},
      });
      expect(mixed.status).toBe(409);
    });

    it('refuses a full card number and bad input', async () => {
      const res = await A.post(
        '/v1/external/payment_intents',
        external({ payment_method: { card: { number: APPROVED_CARD } } }),
      );
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain(APPROVED_CARD);
      const missing = await A.post(
        '/v1/external/payment_intents',
        external({ gateway_response: undefined }),
      );
      expect(missing.body.error.param).toBe('gateway_response');
    });

    it('pays an invoice', async () => {
      const inv = await a.api.post('/api/invoice', {
        currency: 'USD',
        company_name: 'ACME',
        payable_to: {
          first_name: 'A',
          last_name: 'B',
          address_line_1: '1 St',
          city: 'C',
          state: 'IL',
          postal_code: '60000',
          country: 'US',
        },
        bill_to: {
          first_name: 'C',
          last_name: 'D',
          address_line_1: '2 St',
          city: 'C',
          state: 'IL',
          postal_code: '60000',
          country: 'US',
          email: 'c@example.com',
        },
        date_due: '2030-01-01T00:00:00Z',
        items: [{ name: 'Widget', quantity: 1, unit_price: 4000 }],
        payment_methods: ['card'],
        send_via: 'none',
      });
      expect(inv.body.msg).toBe('success');
      const res = await A.post(
        '/v1/external/payment_intents',
        external({ invoice_id: inv.body.data.id }),
      );
      expect(res.status).toBe(200);
      const after = await a.api.get(`/api/invoice/${inv.body.data.id}`);
      expect(after.body.data).toMatchObject({ status: 'paid', amount_due: 0 });
      const count = async () =>
        (await A.post('/v1/payment_intents/search', { reference_id: 'ext-1', limit: 50 })).body.meta
          .total_count;
      const before = await count();
      const twice = await A.post(
        '/v1/external/payment_intents',
        external({ invoice_id: inv.body.data.id }),
      );
      expect(twice.status).toBe(409);
      // The refused one left nothing behind: the intent and the invoice payment are one transaction.
      expect(await count()).toBe(before);
    });
  });
});
