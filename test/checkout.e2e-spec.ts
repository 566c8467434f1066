import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { HostedUrls } from '../src/invoices/hosted-urls';
import { CheckoutSessionsService } from '../src/payments/checkout-sessions.service';
import { launchBrowser } from './support/browser';
import { APPROVED_CARD, createCard, DECLINED_CARD, V1Api } from './support/payments-api';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * Checkout sessions through the API, and the hosted checkout page driven in headless
 * Chromium: pay, decline, double submit, cancel, expiry, and a subscription checkout whose
 * first renewal the billing run then charges merchant-initiated.
 */
describe('checkout sessions and the hosted checkout page', () => {
  let t: TestApp;
  let browser: Browser;
  let m: TestMerchant;
  let api: V1Api;

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(HostedUrls).setBase(t.baseUrl);
    browser = await launchBrowser();
    m = await createMerchant(t.baseUrl);
    api = V1Api.of(m, t.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  afterEach(() => t.clock.reset());

  function sessionBody(extra: Record<string, unknown> = {}) {
    return {
      cancel_url: `${t.baseUrl}/health?cancelled=1`,
      success_url: `${t.baseUrl}/health?session={CHECKOUT_SESSION_ID}`,
      customer_email: 'buyer@example.com',
      payment_method_types: ['card', 'bank'],
      payment_intent_data: { description: 'T-shirt' },
      subtotal: 3000,
      discount_amount: 500,
      ...extra,
    };
  }

  async function createSession(a: V1Api = api, extra: Record<string, unknown> = {}) {
    const res = await a.post('/v1/checkout_sessions', sessionBody(extra));
    if (res.status !== 200) throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function fillCard(page: Page, number = APPROVED_CARD) {
    await page.fill('#card-form input[name="name"]', 'Casey Buyer');
    await page.fill('#card-form input[name="card_number"]', number);
    await page.fill('#card-form input[name="expiration"]', '12/39');
    await page.fill('#card-form input[name="cvc"]', '123');
    await page.fill('#card-form input[name="postal_code"]', '60187');
  }

  async function salesOf(merchant: TestMerchant): Promise<any[]> {
    const res = await merchant.api.post('/api/transaction/search', { limit: 100 });
    return res.body.data.filter((x: any) => x.type === 'sale' || x.type === 'authorize');
  }

  describe('API', () => {
    it("creates a session with the spec's fields and a url, expiring in 24 h by default", async () => {
      const s = await createSession();
      expect(s).toMatchObject({
        entity: 'checkout_session',
        status: 'open',
        subtotal: 3000,
        discount_amount: 500,
        amount_total: 2500,
        customer_email: 'buyer@example.com',
        payment_intent_id: null,
        account_id: m.id,
        partner_id: 'default',
      });
      expect(s.url).toMatch(new RegExp(`^${t.baseUrl}/checkout/[A-Za-z0-9_-]{20,}$`));
      expect(Date.parse(s.expires_at) - Date.parse(s.created_at)).toBe(24 * 3600 * 1000);
      expect((await api.get(`/v1/checkout_sessions/${s.id}`)).body.id).toBe(s.id);
    });

    it('refuses bad input naming the field', async () => {
      for (const [extra, param] of [
        [{ subtotal: -1 }, 'subtotal'],
        [{ discount_amount: 3001 }, 'discount_amount'],
        [{ success_url: 'javascript:alert(1)' }, 'success_url'],
        [{ customer_email: 'nope' }, 'customer_email'],
        [{ payment_method_types: ['cash'] }, 'payment_method_types[0]'],
        [{ payment_intent_data: { amount: 1 } }, 'payment_intent_data.amount'],
        [{ subscription: { plan_id: 'noplan' } }, 'subscription.plan_id'],
        [{ expires_at: '2000-01-01T00:00:00Z' }, 'expires_at'],
      ] as const) {
        const res = await api.post('/v1/checkout_sessions', sessionBody(extra));
        expect(res.status).toBe(400);
        expect(res.body.error.param).toBe(param);
      }
    });

    it("pays a session through the API (the JS SDK's call, with the public key), once", async () => {
      const s = await createSession();
      const pub = api.withKey(m.publicKey);
      const pm = await createCard(pub);
      const res = await pub.post(`/v1/checkout_sessions/${s.id}/payments`, {
        payment_method_id: pm,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'captured', amount: 2500 });
      const after = (await api.get(`/v1/checkout_sessions/${s.id}`)).body;
      expect(after.status).toBe('complete');
      const pi = (await api.get(`/v1/payment_intents/${after.payment_intent_id}`)).body;
      expect(pi).toMatchObject({
        status: 'captured',
        amount: 2500,
        merchant_amount: 2500,
        checkout_session_id: s.id,
        description: 'T-shirt',
      });
      const again = await pub.post(`/v1/checkout_sessions/${s.id}/payments`, {
        payment_method_id: pm,
      });
      expect(again.status).toBe(409);
      expect(again.body.msg).toMatch(/complete/);
      // The public key reads nothing.
      expect((await pub.get(`/v1/checkout_sessions/${s.id}`)).status).toBe(401);
    });

    it('expires and completes through the API, refusing what the state does not allow', async () => {
      const s = await createSession();
      const unpaid = await api.post(`/v1/checkout_sessions/${s.id}/complete`);
      expect(unpaid.status).toBe(409);
      expect(unpaid.body.msg).toMatch(/not been paid/);
      const expired = await api.post(`/v1/checkout_sessions/${s.id}/expire`);
      expect(expired.body.status).toBe('expired');
      expect((await api.post(`/v1/checkout_sessions/${s.id}/expire`)).status).toBe(409);
      expect((await api.post(`/v1/checkout_sessions/${s.id}/complete`)).status).toBe(409);
      const pm = await createCard(api);
      const pay = await api.post(`/v1/checkout_sessions/${s.id}/payments`, {
        payment_method_id: pm,
      });
      expect(pay.status).toBe(409);
      expect(pay.body.msg).toMatch(/expired/);

      const free = await createSession(api, { discount_amount: 3000 });
      const done = await api.post(`/v1/checkout_sessions/${free.id}/complete`);
      expect(done.body.status).toBe('complete');
      expect((await api.post(`/v1/checkout_sessions/${free.id}/expire`)).status).toBe(409);
    });

    it('records checkout_session.completed and .expired in the log, once each, with the session as GET shows it', async () => {
      const events = async (type: string, id: string) =>
        (await m.api.get(`/api/events?type=${type}&object_id=${id}`)).body;
      const paid = await createSession();
      const pm = await createCard(api);
      await api.post(`/v1/checkout_sessions/${paid.id}/payments`, { payment_method_id: pm });
      const completed = await events('checkout_session.completed', paid.id);
      expect(completed.total_count).toBe(1);
      expect(completed.data[0].data).toMatchObject({ id: paid.id, status: 'complete' });

      const free = await createSession(api, { discount_amount: 3000 });
      await api.post(`/v1/checkout_sessions/${free.id}/complete`);
      expect((await events('checkout_session.completed', free.id)).total_count).toBe(1);

      const dropped = await createSession();
      await api.post(`/v1/checkout_sessions/${dropped.id}/expire`);
      const expired = await events('checkout_session.expired', dropped.id);
      expect(expired.total_count).toBe(1);
      expect(expired.data[0].data).toMatchObject({ id: dropped.id, status: 'expired' });
      expect((await events('checkout_session.completed', dropped.id)).total_count).toBe(0);
    });

    it('the expiry sweep expires sessions at expires_at without anyone reading them', async () => {
      t.clock.setNow(new Date());
      const s = await createSession();
      const before = await t.app.get(CheckoutSessionsService).expireDue();
      expect(before).toBe(0);
      t.clock.setNow(new Date(Date.parse(s.expires_at) + 1000));
      expect(await t.app.get(CheckoutSessionsService).expireDue()).toBeGreaterThanOrEqual(1);
      const expired = await m.api.get(
        `/api/events?type=checkout_session.expired&object_id=${s.id}`,
      );
      expect(expired.body.total_count).toBe(1);
      // Reading it later records nothing more.
      expect((await api.get(`/v1/checkout_sessions/${s.id}`)).body.status).toBe('expired');
      expect(
        (await m.api.get(`/api/events?type=checkout_session.expired&object_id=${s.id}`)).body
          .total_count,
      ).toBe(1);
      t.clock.setNow(new Date());
    });

    it('expires at expires_at by the injected clock', async () => {
      t.clock.setNow(new Date());
      const s = await createSession();
      t.clock.setNow(new Date(Date.parse(s.expires_at) + 1000));
      expect((await api.get(`/v1/checkout_sessions/${s.id}`)).body.status).toBe('expired');
      t.clock.setNow(new Date());
    });

    it('lists with cursors over more than one page, and keeps merchants apart', async () => {
      const other = await createMerchant(t.baseUrl);
      const o = V1Api.of(other, t.baseUrl);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await createSession(o)).id);
      const p1 = await o.get('/v1/checkout_sessions?limit=5');
      const p2 = await o.get(
        `/v1/checkout_sessions?limit=5&starting_after=${p1.body.meta.last_id}`,
      );
      const p3 = await o.get(
        `/v1/checkout_sessions?limit=5&starting_after=${p2.body.meta.last_id}`,
      );
      const walked = [...p1.body.data, ...p2.body.data, ...p3.body.data].map((s: any) => s.id);
      expect(walked).toEqual([...ids].reverse());
      expect(p3.body.meta.has_more).toBe(false);
      const back = await o.get(
        `/v1/checkout_sessions?limit=5&ending_before=${p3.body.meta.first_id}`,
      );
      expect(back.body.data.map((s: any) => s.id)).toEqual(p2.body.data.map((s: any) => s.id));
      expect((await api.get(`/v1/checkout_sessions/${ids[0]}`)).status).toBe(404);
      expect((await api.post(`/v1/checkout_sessions/${ids[0]}/expire`)).status).toBe(404);
    });

    it('replays an idempotent session create', async () => {
      const headers = { 'x-idempotency-key': `cs-${Date.now()}-abc` };
      const a = await api.post('/v1/checkout_sessions', sessionBody(), headers);
      const b = await api.post('/v1/checkout_sessions', sessionBody(), headers);
      expect(b.body.id).toBe(a.body.id);
      expect(b.headers.get('x-idempotent-replayed')).toBe('true');
    });
  });

  describe('hosted page (headless Chromium)', () => {
    it('pays with an approval card on a phone, charging only Rebill, and lands on success_url', async () => {
      const s = await createSession();
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      const res = await page.goto(s.url);
      expect(res?.status()).toBe(200);
      const origin = new URL(t.baseUrl).origin;
      expect(res?.headers()['content-security-policy']).toBe(
        `default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' ${origin}; base-uri 'none'; frame-ancestors 'none'`,
      );
      expect(await page.textContent('#subtotal')).toBe('$30.00');
      expect(await page.textContent('#discount')).toBe('−$5.00');
      expect(await page.textContent('#total')).toBe('$25.00');
      expect(await page.isVisible('#card-form')).toBe(true);
      expect(await page.isVisible('#bank-form')).toBe(true);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(
        true,
      );
      await fillCard(page);
      await Promise.all([page.waitForURL(/\/health\?session=/), page.click('#pay-card')]);
      expect(page.url()).toBe(`${t.baseUrl}/health?session=${s.id}`);
      expect(requested.filter((u) => new URL(u).origin !== origin)).toEqual([]);
      await context.close();

      const after = (await api.get(`/v1/checkout_sessions/${s.id}`)).body;
      expect(after.status).toBe('complete');
      const pi = (await api.get(`/v1/payment_intents/${after.payment_intent_id}`)).body;
      expect(pi.latest_payment).toMatchObject({
        status: 'captured',
        amount: 2500,
        avs: 'Z',
        cvv: 'P',
      });
      const tx = await m.api.get(`/api/transaction/${pi.latest_payment.transaction_id}`);
      expect(tx.body.data[0]).toMatchObject({
        amount: 2500,
        type: 'sale',
        initiated_by: 'customer',
      });
      // The card number went to Rebill's vault, sealed: nothing shows it.
      expect(JSON.stringify(pi)).not.toContain(APPROVED_CARD);
    });

    it('shows a decline and lets the customer pay with another card', async () => {
      const s = await createSession();
      const page = await browser.newPage();
      await page.goto(s.url);
      await fillCard(page, DECLINED_CARD);
      const [declined] = await Promise.all([page.waitForNavigation(), page.click('#pay-card')]);
      expect(declined?.status()).toBe(402);
      expect(await page.textContent('#payment-error')).toMatch(/declined: Insufficient funds/);
      await fillCard(page);
      await Promise.all([page.waitForURL(/\/health\?session=/), page.click('#pay-card')]);
      await page.close();
      const after = (await api.get(`/v1/checkout_sessions/${s.id}`)).body;
      const payments = await api.get(`/v1/payment_intents/${after.payment_intent_id}/payments`);
      expect(payments.body.data.map((p: any) => p.status)).toEqual(['captured', 'failed']);
    });

    it('charges once when the pay button is double-clicked', async () => {
      const s = await createSession(api, { reference_id: 'dbl' });
      const page = await browser.newPage();
      await page.goto(s.url);
      await fillCard(page);
      await page.dblclick('#pay-card');
      for (
        let waited = 0;
        !/\/health\?session=/.test(page.url()) && waited < 30_000;
        waited += 100
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(page.url()).toContain(`/health?session=${s.id}`);
      await page.close();
      const after = (await api.get(`/v1/checkout_sessions/${s.id}`)).body;
      const payments = await api.get(`/v1/payment_intents/${after.payment_intent_id}/payments`);
      expect(payments.body.data.filter((p: any) => p.status === 'captured')).toHaveLength(1);
      const rows = await t.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS n FROM gateway_transactions WHERE merchant_id = $1 AND id = ANY($2)`,
          [m.id, payments.body.data.map((p: any) => p.transaction_id)],
        );
      expect(rows[0].n).toBe(1);
    });

    it('cancel goes to cancel_url and charges nothing', async () => {
      const s = await createSession();
      const page = await browser.newPage();
      await page.goto(s.url);
      await Promise.all([page.waitForURL(/cancelled=1/), page.click('#cancel')]);
      await page.close();
      const after = (await api.get(`/v1/checkout_sessions/${s.id}`)).body;
      expect(after).toMatchObject({ status: 'open', payment_intent_id: null });
    });

    it('an expired checkout shows so and cannot be paid', async () => {
      t.clock.setNow(new Date());
      const s = await createSession();
      const page = await browser.newPage();
      await page.goto(s.url);
      await fillCard(page);
      t.clock.setNow(new Date(Date.parse(s.expires_at) + 1));
      const [res] = await Promise.all([page.waitForNavigation(), page.click('#pay-card')]);
      expect(res?.status()).toBe(410);
      expect(await page.textContent('#checkout-status')).toMatch(/expired/);
      expect(await page.isVisible('#card-form')).toBe(false);
      await page.close();
      t.clock.setNow(new Date());
      expect((await api.get(`/v1/checkout_sessions/${s.id}`)).body.status).toBe('expired');
    });

    it('an unknown token is a 404 page', async () => {
      const page = await browser.newPage();
      const res = await page.goto(`${t.baseUrl}/checkout/${'x'.repeat(32)}`);
      expect(res?.status()).toBe(404);
      await page.close();
    });

    it('a subscription checkout signs the customer up; the billing run bills the first renewal as MIT', async () => {
      t.clock.setNow('2027-03-10T12:00:00Z');
      const sm = await createMerchant(t.baseUrl);
      const sapi = V1Api.of(sm, t.baseUrl);
      const plan = (
        await sm.api.post('/api/recurring/plan', {
          name: 'Pro',
          amount: 2000,
          billing_cycle_interval: 1,
          billing_frequency: 'monthly',
          billing_days: '1',
          duration: 0,
        })
      ).body.data;
      const s = await createSession(sapi, {
        subtotal: 2000,
        discount_amount: 0,
        payment_method_types: ['card'],
        subscription: { plan_id: plan.id },
      });
      const page = await browser.newPage();
      await page.goto(s.url);
      expect(await page.textContent('#subscription-notice')).toMatch(/starts your subscription/);
      expect(await page.isVisible('#bank-form')).toBe(false);
      await fillCard(page);
      await page.fill('#card-form input[name="address_line1"]', '1 Main St');
      await page.fill('#card-form input[name="city"]', 'Wheaton');
      await page.fill('#card-form input[name="state"]', 'IL');
      await Promise.all([page.waitForURL(/\/health\?session=/), page.click('#pay-card')]);
      await page.close();

      const after = (await sapi.get(`/v1/checkout_sessions/${s.id}`)).body;
      expect(after.status).toBe('complete');
      expect(after.subscription_id).toBeTruthy();
      const pi = (await sapi.get(`/v1/payment_intents/${after.payment_intent_id}`)).body;
      const first = (await sm.api.get(`/api/transaction/${pi.latest_payment.transaction_id}`)).body
        .data[0];
      expect(first).toMatchObject({
        initiated_by: 'customer',
        stored_credential_indicator: 'stored',
        billing_method: 'initial_recurring',
        customer_id: pi.latest_payment.payment_method.id ? expect.any(String) : undefined,
      });
      const sub = (await sm.api.get(`/api/recurring/subscription/${after.subscription_id}`)).body
        .data;
      expect(sub).toMatchObject({
        plan_id: plan.id,
        status: 'active',
        next_bill_date: '2027-04-01',
      });

      t.clock.setNow('2027-04-01T12:00:00Z');
      const run = await sm.api.post('/api/recurring/billing-run', { date: '2027-04-01' });
      expect(run.status).toBe(200);
      expect(run.body.data.summary).toMatchObject({ charged: 1 });
      const sales = (await salesOf(sm)).filter((x) => x.id !== first.id);
      expect(sales).toHaveLength(1);
      expect(sales[0]).toMatchObject({
        amount: 2000,
        initiated_by: 'merchant',
        stored_credential_indicator: 'used',
        billing_method: 'recurring',
        initial_transaction_id: first.id,
      });
      t.clock.setNow(new Date());
    });
  });
});
