import { Browser } from 'playwright-core';
import { HostedUrls } from '../src/invoices/hosted-urls';
import { OutboxWorker } from '../src/notifications/outbox-worker.service';
import { launchBrowser } from './support/browser';
import { startSmtpServer, TestSmtpServer } from './support/smtp';
import {
  createMerchant,
  startTestApp,
  TestApp,
  TestMerchant,
  checkedFetch,
} from './support/test-app';

jest.setTimeout(60_000);

const APPROVED_CARD = '4111111111111111'; // sandbox: approves (a debit card: never surcharged)
const CREDIT_CARD = '4005519200000004'; // sandbox: approves (a credit card)
const DECLINED_CARD = '4000000000000002'; // sandbox: insufficient funds

function invoiceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const address = {
    first_name: 'Casey',
    last_name: 'Customer',
    address_line_1: '500 Market St',
    city: 'Springfield',
    state: 'IL',
    postal_code: '62701',
    country: 'US',
  };
  return {
    currency: 'USD',
    company_name: 'Hosted Goods LLC',
    payable_to: {
      ...address,
      company: 'Hosted Goods LLC',
      address_line_1: '1 Supplier Way',
      email: 'ar@hosted.example',
    },
    bill_to: { ...address, email: 'casey@customer.example' },
    date_due: '2030-06-01T00:00:00Z',
    items: [
      { name: 'Annual plan', description: 'Twelve months', unit_price: 20000, quantity: 1 },
      { name: 'Setup', unit_price: 5000, quantity: 1 },
    ],
    payment_methods: ['card', 'ach', 'mail'],
    message: 'Thanks for choosing us!',
    send_via: 'none',
    ...overrides,
  };
}

/** The hidden nonce of a rendered invoice page. */
function nonceOf(html: string): string {
  const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1];
  if (!nonce) throw new Error('no payment form on the page');
  return nonce;
}

describe('hosted invoice page', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let browser: Browser;
  let m: TestMerchant;
  let other: TestMerchant;

  const drain = () => t.app.get(OutboxWorker).drainOnce({ merchantId: m.id });
  const createInvoice = async (overrides: Record<string, unknown> = {}) => {
    const res = await m.api.post('/api/invoice', invoiceBody(overrides));
    if (res.status !== 200) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
    return res.body.data as { id: string; public_url: string; hosted_url: string; total: number };
  };
  const pageHtml = async (token: string) => {
    const res = await checkedFetch(t.baseUrl, `/invoice/${token}`);
    return { status: res.status, headers: res.headers, html: await res.text() };
  };
  const postForm = (token: string, fields: Record<string, string>) =>
    checkedFetch(t.baseUrl, `/invoice/${token}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
  const cardForm = (nonce: string, number: string, extra: Record<string, string> = {}) => ({
    nonce,
    method: 'card',
    name: 'Casey Customer',
    card_number: number,
    expiration: '12/39',
    cvc: '123',
    postal_code: '62701',
    ...extra,
  });
  const transactionsFor = async (merchant: TestMerchant, orderId: string) =>
    (
      await merchant.api.post('/api/transaction/search', {
        order_id: { operator: '=', value: orderId },
      })
    ).body.data as {
      id: string;
      status: string;
      amount: number;
      order_id: string;
      po_number: string;
    }[];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ SMTP_URL: smtp.url });
    t.app.get(HostedUrls).setBase(t.baseUrl);
    browser = await launchBrowser();
    m = await createMerchant(t.baseUrl, 'America/Chicago');
    other = await createMerchant(t.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('end to end: the emailed link opens the page, the customer pays by card and the merchant sees it paid', async () => {
    const invoice = await createInvoice({ send_via: 'email', invoice_number: 'INV-E2E-1' });
    await drain();
    const mail = await smtp.waitFor(
      (x) => x.to.includes('casey@customer.example') && x.subject.includes('INV-E2E-1'),
    );
    const link = /https?:\/\/\S+\/invoice\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    expect(link).toBe(invoice.hosted_url);

    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const response = await page.goto(link!);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    const body = await page.textContent('body');
    for (const text of [
      'Hosted Goods LLC',
      'Invoice INV-E2E-1',
      'Casey Customer',
      'Annual plan',
      '$200.00',
      'Setup',
      '$250.00',
      'Thanks for choosing us!',
      'Pay by cheque',
      '1 Supplier Way',
    ]) {
      expect(body).toContain(text);
    }
    expect(await page.textContent('[data-total="amount_due"]')).toBe('$250.00');
    // It fits a phone: no sideways scrolling.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(
      true,
    );

    await page.fill('#card-form input[name="name"]', 'Casey Customer');
    await page.fill('#card-form input[name="card_number"]', APPROVED_CARD);
    await page.fill('#card-form input[name="expiration"]', '12/39');
    await page.fill('#card-form input[name="cvc"]', '123');
    await Promise.all([page.waitForURL(/\/receipt\//), page.click('#pay-card')]);
    expect(await page.textContent('#receipt')).toContain('Payment received');
    expect(await page.textContent('[data-receipt="amount"]')).toBe('$250.00');
    expect(await page.textContent('[data-receipt="amount_due"]')).toBe('$0.00');
    const transactionId = (await page.textContent('[data-receipt="transaction"]'))?.trim();

    // Everything the browser asked for came from Rebill.
    const origin = new URL(t.baseUrl).origin;
    expect(requested.filter((u) => new URL(u).origin !== origin)).toEqual([]);

    const got = await m.api.get(`/api/invoice/${invoice.id}`);
    expect(got.body.data).toMatchObject({ status: 'paid', amount_paid: 25000, amount_due: 0 });
    const found = await transactionsFor(m, 'INV-E2E-1');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      id: transactionId,
      amount: 25000,
      order_id: 'INV-E2E-1',
      po_number: invoice.id,
    });
    expect(await transactionsFor(other, 'INV-E2E-1')).toEqual([]);

    // The receipt email goes out; the page now says paid and offers no form.
    await drain();
    await smtp.waitFor(
      (x) => x.to.includes('casey@customer.example') && x.subject.startsWith('Receipt: $250.00'),
    );
    await page.goto(link!);
    expect(await page.textContent('body')).toContain('This invoice is paid');
    expect(await page.$('#card-form')).toBeNull();
    await context.close();
  });

  it('shows the gateway message for a declined card and charges nothing', async () => {
    const invoice = await createInvoice({ invoice_number: 'INV-DECLINE' });
    const page = await browser.newPage();
    await page.goto(invoice.hosted_url);
    await page.fill('#card-form input[name="name"]', 'Casey Customer');
    await page.fill('#card-form input[name="card_number"]', DECLINED_CARD);
    await page.fill('#card-form input[name="expiration"]', '12/39');
    await page.click('#pay-card');
    await page.waitForSelector('#payment-error');
    const error = await page.textContent('#payment-error');
    expect(error).toMatch(/Your payment was declined: .*insufficient funds/i);
    expect(error).toContain('Nothing was charged');
    expect(await page.inputValue('#card-form input[name="card_number"]')).toBe(''); // never echoed back
    await page.close();

    const got = await m.api.get(`/api/invoice/${invoice.id}`);
    expect(got.body.data).toMatchObject({ status: 'pending', amount_paid: 0, amount_due: 25000 });
    const tx = await transactionsFor(m, 'INV-DECLINE');
    expect(tx.map((x) => x.status)).toEqual(['declined']);
    const payments = await m.api.get(`/api/invoice/${invoice.id}/payments`);
    expect(payments.body.data).toEqual([
      expect.objectContaining({ status: 'declined', amount: 25000 }),
    ]);
  });

  it('charges once when the form is submitted twice at the same time, or again later', async () => {
    const invoice = await createInvoice({ invoice_number: 'INV-TWICE' });
    const nonce = nonceOf((await pageHtml(invoice.public_url)).html);
    const form = cardForm(nonce, APPROVED_CARD);
    const [first, second] = await Promise.all([
      postForm(invoice.public_url, form),
      postForm(invoice.public_url, form),
    ]);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    // The back button: the same form posted again shows the same receipt.
    const replay = await postForm(invoice.public_url, form);
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    // A second tab with its own form: the invoice is paid, nothing is charged.
    const late = await postForm(invoice.public_url, cardForm(`${nonce}x`, APPROVED_CARD));
    expect(late.status).toBe(409);

    const tx = await transactionsFor(m, 'INV-TWICE');
    expect(tx).toHaveLength(1);
    expect((await m.api.get(`/api/invoice/${invoice.id}`)).body.data).toMatchObject({
      status: 'paid',
      amount_paid: 25000,
    });
  });

  it('charges once when the pay button is double-clicked, or when two tabs pay at once', async () => {
    const fill = async (page: import('playwright-core').Page) => {
      await page.fill('#card-form input[name="name"]', 'Casey Customer');
      await page.fill('#card-form input[name="card_number"]', APPROVED_CARD);
      await page.fill('#card-form input[name="expiration"]', '12/39');
    };
    const invoice = await createInvoice({ invoice_number: 'INV-DBLCLICK' });
    const page = await browser.newPage();
    await page.goto(invoice.hosted_url);
    await fill(page);
    await page.dblclick('#pay-card');
    // The second click's submission may abort the first navigation: wait for where the
    // page lands, not for one particular navigation.
    for (let waited = 0; !/\/receipt\//.test(page.url()) && waited < 30_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(page.url()).toMatch(/\/receipt\//);
    await page.waitForLoadState();
    expect(await page.textContent('#receipt')).toContain('Payment received');
    await page.close();
    expect(await transactionsFor(m, 'INV-DBLCLICK')).toHaveLength(1);

    const twoTabs = await createInvoice({ invoice_number: 'INV-TABS' });
    const context = await browser.newContext();
    const [tabA, tabB] = [await context.newPage(), await context.newPage()];
    for (const tab of [tabA, tabB]) {
      await tab.goto(twoTabs.hosted_url);
      await fill(tab);
    }
    await Promise.all([
      tabA.click('#pay-card').then(() => tabA.waitForLoadState()),
      tabB.click('#pay-card').then(() => tabB.waitForLoadState()),
    ]);
    const shown = [await tabA.textContent('body'), await tabB.textContent('body')];
    expect(shown.filter((text) => text?.includes('Payment received'))).toHaveLength(1);
    expect(
      shown.filter((text) => /being processed|cannot be paid|is paid/.test(text ?? '')),
    ).toHaveLength(1);
    await context.close();
    expect(await transactionsFor(m, 'INV-TABS')).toHaveLength(1);
    expect((await m.api.get(`/api/invoice/${twoTabs.id}`)).body.data).toMatchObject({
      status: 'paid',
      amount_paid: 25000,
    });
  });

  it('takes a partial payment only when the invoice allows it', async () => {
    const strict = await createInvoice();
    const refused = await postForm(
      strict.public_url,
      cardForm(nonceOf((await pageHtml(strict.public_url)).html), APPROVED_CARD, {
        amount: '100.00',
      }),
    );
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('This invoice must be paid in full.');

    const invoice = await createInvoice({
      allow_partial_payment: true,
      invoice_number: 'INV-PART',
    });
    const page = await browser.newPage();
    await page.goto(invoice.hosted_url);
    expect(await page.inputValue('#card-form input[name="amount"]')).toBe('250.00');
    await page.fill('#card-form input[name="amount"]', '100.00');
    await page.fill('#card-form input[name="name"]', 'Casey Customer');
    await page.fill('#card-form input[name="card_number"]', APPROVED_CARD);
    await page.fill('#card-form input[name="expiration"]', '12/39');
    await Promise.all([page.waitForURL(/\/receipt\//), page.click('#pay-card')]);
    expect(await page.textContent('[data-receipt="amount"]')).toBe('$100.00');
    expect(await page.textContent('[data-receipt="amount_due"]')).toBe('$150.00');
    await page.close();
    expect((await m.api.get(`/api/invoice/${invoice.id}`)).body.data).toMatchObject({
      status: 'partially_paid',
      amount_paid: 10000,
      amount_due: 15000,
    });

    const tooMuch = await postForm(
      invoice.public_url,
      cardForm(nonceOf((await pageHtml(invoice.public_url)).html), APPROVED_CARD, {
        amount: '150.01',
      }),
    );
    expect(tooMuch.status).toBe(400);
    const rest = await postForm(invoice.public_url, {
      nonce: nonceOf((await pageHtml(invoice.public_url)).html),
      method: 'ach',
      name: 'Casey Customer',
      routing_number: '021000021',
      account_number: '123456789',
      account_type: 'checking',
      amount: '150.00',
    });
    expect(rest.status).toBe(303);
    expect((await m.api.get(`/api/invoice/${invoice.id}`)).body.data).toMatchObject({
      status: 'paid',
      amount_paid: 25000,
      amount_due: 0,
    });
    const tx = await transactionsFor(m, 'INV-PART');
    expect(tx.map((x) => x.amount).sort()).toEqual([10000, 15000]);
  });

  it('shows the fee program surcharge and its disclosure before paying, and charges it on credit cards only', async () => {
    const processor = await m.api.post('/api/processor', {
      name: 'Surcharging',
      fee_program: 'surcharge',
      fee_program_rate: 3000,
      surcharge_disclosure: 'We add 3% to credit card payments to cover processing costs.',
    });
    const invoice = await createInvoice({
      card_processor_id: processor.body.data.id,
      invoice_number: 'INV-SUR',
    });
    const { html } = await pageHtml(invoice.public_url);
    expect(html).toContain('Credit cards: a surcharge of $7.50 is added ($257.50 in all)');
    expect(html).toContain('We add 3% to credit card payments to cover processing costs.');

    const paid = await postForm(invoice.public_url, cardForm(nonceOf(html), CREDIT_CARD));
    expect(paid.status).toBe(303);
    const receipt = await checkedFetch(t.baseUrl, paid.headers.get('location')!);
    const receiptHtml = await receipt.text();
    expect(receiptHtml).toContain('$7.50');
    expect(receiptHtml).toContain('$257.50');
    expect((await m.api.get(`/api/invoice/${invoice.id}`)).body.data).toMatchObject({
      status: 'paid',
      amount_paid: 25000,
      surcharge_paid: 750,
    });
    expect((await transactionsFor(m, 'INV-SUR'))[0].amount).toBe(25750);

    const debit = await createInvoice({
      card_processor_id: processor.body.data.id,
      invoice_number: 'INV-SUR-DEBIT',
    });
    const debitPaid = await postForm(
      debit.public_url,
      cardForm(nonceOf((await pageHtml(debit.public_url)).html), APPROVED_CARD),
    );
    expect(debitPaid.status).toBe(303);
    expect((await transactionsFor(m, 'INV-SUR-DEBIT'))[0].amount).toBe(25000);
  });

  it('never charges an amount the customer was not shown: a changed amount due is shown again', async () => {
    const invoice = await createInvoice({
      allow_partial_payment: true,
      invoice_number: 'INV-CHANGED',
    });
    const { html } = await pageHtml(invoice.public_url);
    expect(html).toContain('name="due" value="25000"');
    await m.api.post(`/api/invoice/${invoice.id}/mark-as-paid`, { amount: 5000 });
    const res = await postForm(
      invoice.public_url,
      cardForm(nonceOf(html), APPROVED_CARD, { due: '25000', amount: '250.00' }),
    );
    expect(res.status).toBe(409);
    const again = await res.text();
    expect(again).toContain('The amount due has changed since this page was opened.');
    expect(again).toContain('name="due" value="20000"');
    expect(await transactionsFor(m, 'INV-CHANGED')).toEqual([]);
  });

  it('resolves a lost gateway answer by looking the attempt up, never by charging again', async () => {
    const LATE_CARD = '4000000000000119'; // sandbox: approved and recorded, the answer is lost
    const invoice = await createInvoice({ invoice_number: 'INV-LATE' });
    const res = await postForm(
      invoice.public_url,
      cardForm(nonceOf((await pageHtml(invoice.public_url)).html), LATE_CARD),
    );
    expect(res.status).toBe(202);
    expect(await res.text()).toContain('is being processed');
    const payments = await m.api.get(`/api/invoice/${invoice.id}/payments`);
    expect(payments.body.data).toEqual([expect.objectContaining({ status: 'unknown' })]);
    const { html } = await pageHtml(invoice.public_url);
    expect(html).toContain('This invoice is paid'); // opening the page resolved the attempt
    expect((await m.api.get(`/api/invoice/${invoice.id}`)).body.data).toMatchObject({
      status: 'paid',
      amount_paid: 25000,
    });
    expect(await transactionsFor(m, 'INV-LATE')).toHaveLength(1);
  });

  it('answers 404 with one body for unknown, malformed, deleted and voided tokens', async () => {
    const deleted = await createInvoice();
    await m.api.delete(`/api/invoice/${deleted.id}`);
    const voided = await createInvoice();
    await m.api.post(`/api/invoice/${voided.id}/void`);
    const tokens = ['A'.repeat(43), 'not-a-token', deleted.public_url, voided.public_url];
    const pages = await Promise.all(tokens.map((token) => pageHtml(token)));
    for (const p of pages) {
      expect(p.status).toBe(404);
      expect(p.html).toBe(pages[0].html);
      expect(p.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    }
    expect(pages[0].html).toContain('Invoice not found');
    const pay = await postForm(voided.public_url, cardForm('n'.repeat(24), APPROVED_CARD));
    expect(pay.status).toBe(404);
    expect(await pay.text()).toBe(pages[0].html);
    expect((await checkedFetch(t.baseUrl, `/invoice/${deleted.public_url}/pdf`)).status).toBe(404);
  });

  it('loads nothing from other sites: the logo origin alone is allowed for images', async () => {
    const invoice = await createInvoice({
      company_logo_url: 'https://cdn.hosted.example/logo.png',
    });
    const { html, headers } = await pageHtml(invoice.public_url);
    expect(headers.get('content-security-policy')).toContain(
      'img-src https://cdn.hosted.example data:',
    );
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    const external = [...html.matchAll(/(?:src|href|action)="([^"]+)"/g)]
      .map((x) => x[1])
      .filter((u) => /^https?:/.test(u));
    expect(external).toEqual(['https://cdn.hosted.example/logo.png']);
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
  });

  it('answers the invoice PDF on the hosted page', async () => {
    const invoice = await createInvoice({ invoice_number: 'INV-PDF-H' });
    const res = await checkedFetch(t.baseUrl, `/invoice/${invoice.public_url}/pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    // The same document as the API's (test/invoice-documents.e2e-spec.ts reads its content).
    const api = await checkedFetch(t.baseUrl, `/api/invoice/${invoice.id}/pdf`, {
      headers: { authorization: m.privateKey },
    });
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.equals(Buffer.from(await api.arrayBuffer()))).toBe(true);
  });
});
