import { Browser } from 'playwright-core';
import { InvoiceReminders } from '../src/invoices/invoice-reminders.service';
import { launchBrowser } from './support/browser';
import { PdfViewer } from './support/pdf-viewer';
import { InvoicesService } from '../src/invoices/invoices.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * A date without a time is a day in the merchant's time zone, everywhere: the invoice API,
 * the hosted page, the PDF, the emails, searches and the overdue rule agree on the day, on
 * both sides of UTC. Calendar-impossible dates are refused with a 400 naming the field.
 */

const address = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  company: '',
  address_line_1: '1 Main St',
  address_line_2: '',
  city: 'Chicago',
  state: 'IL',
  postal_code: '60601',
  country: 'US',
  phone: '',
  fax: '',
  email: 'ada@example.com',
};

function invoice(dateDue: string, overrides: Record<string, unknown> = {}) {
  return {
    currency: 'USD',
    payable_to: address,
    bill_to: address,
    date_due: dateDue,
    items: [{ name: 'Widget', quantity: 1, unit_price: 1000 }],
    payment_methods: ['card'],
    send_via: 'none',
    ...overrides,
  };
}

describe('date-only inputs are merchant-local dates', () => {
  let t: TestApp;
  let browser: Browser;
  let viewer: PdfViewer;
  const merchants: Record<string, TestMerchant> = {};

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    viewer = await PdfViewer.open(browser);
    t.clock.setNow('2026-12-01T12:00:00Z');
    for (const zone of ['America/Chicago', 'Asia/Tokyo', 'UTC']) {
      merchants[zone] = await createMerchant(t.baseUrl, zone);
    }
  });
  afterAll(async () => {
    await viewer?.close();
    await browser?.close();
    await t.close();
  });

  it.each([
    ['America/Chicago', '2026-12-15T06:00:00Z'],
    ['Asia/Tokyo', '2026-12-14T15:00:00Z'],
    ['UTC', '2026-12-15T00:00:00Z'],
  ])(
    'an invoice due "2026-12-15" for a merchant in %s is due at local midnight (%s), and the API, page, PDF and email all say December 15',
    async (zone, instant) => {
      const m = merchants[zone];
      const created = await m.api.post(
        '/api/invoice',
        invoice('2026-12-15', { send_via: 'email', email_to: 'ada@example.com' }),
      );
      expect(created.status).toBe(200);
      expect(created.body.data.date_due).toBe(instant);
      const page = await fetch(`${t.baseUrl}/invoice/${created.body.data.public_url}`);
      const html = await page.text();
      expect(html).toContain('December 15, 2026');
      expect(html).not.toContain('December 14, 2026');
      const svc = t.app.get(InvoicesService);
      const stored = await svc.get(m.id, created.body.data.id);
      const pdf = (await viewer.read(await svc.renderPdf(stored))).text;
      expect(pdf).toContain('December 15, 2026');
      expect(pdf).not.toContain('December 14, 2026');
      const { DataSource } = await import('typeorm');
      const mails: { text_body: string }[] = await t.app
        .get(DataSource)
        .query(`SELECT * FROM email_outbox WHERE merchant_id = $1`, [m.id]);
      expect(JSON.stringify(mails)).toContain('December 15, 2026');
      expect(JSON.stringify(mails)).not.toContain('December 14, 2026');
    },
  );

  it('is not overdue during its due day, and is from the next local midnight (reminders agree)', async () => {
    const m = merchants['America/Chicago'];
    const created = await m.api.post(
      '/api/invoice',
      invoice('2026-12-20', { send_via: 'email', email_to: 'ada@example.com' }),
    );
    const id = created.body.data.id;
    const status = async () => (await m.api.get(`/api/invoice/${id}`)).body.data.status;
    t.clock.setNow('2026-12-21T05:59:59Z'); // 23:59:59 on December 20 in Chicago
    expect(await status()).toBe('pending');
    await t.app.get(InvoiceReminders).runOnce({ merchantId: m.id });
    const search = async (s: string) =>
      (await m.api.post('/api/invoices/search', { status: s })).body.data.map(
        (i: { id: string }) => i.id,
      );
    expect(await search('overdue')).not.toContain(id);
    t.clock.setNow('2026-12-21T06:00:00Z'); // December 21 begins in Chicago
    expect(await status()).toBe('overdue');
    expect(await search('overdue')).toContain(id);
    const result = await t.app.get(InvoiceReminders).runOnce({ merchantId: m.id });
    expect(result.overdueNotices).toBeGreaterThanOrEqual(1);
    t.clock.setNow('2026-12-01T12:00:00Z');
  });

  it('searches take date-only bounds as whole local days', async () => {
    const m = merchants['Asia/Tokyo'];
    const a = (await m.api.post('/api/invoice', invoice('2026-12-10'))).body.data.id;
    const b = (await m.api.post('/api/invoice', invoice('2026-12-11T23:30:00+09:00'))).body.data.id;
    const c = (await m.api.post('/api/invoice', invoice('2026-12-12'))).body.data.id;
    const found = await m.api.post('/api/invoices/search', {
      date_due: { start_date: '2026-12-10', end_date: '2026-12-11' },
    });
    expect(found.status).toBe(200);
    const ids = found.body.data.map((i: { id: string }) => i.id);
    expect(ids).toEqual(expect.arrayContaining([a, b]));
    expect(ids).not.toContain(c);
  });

  it.each([
    ['/api/invoice', invoice('2026-02-30'), /date_due/],
    ['/api/invoice', invoice('2026-02-29T10:00:00Z'), /date_due/],
    ['/api/invoice', invoice('2026-04-31'), /date_due/],
    ['/api/invoices/search', { date_due: { start_date: '2026-02-30' } }, /date_due.start_date/],
    ['/api/invoices/search', { date_due: { end_date: '2026-13-01' } }, /date_due.end_date/],
  ])(
    'refuses the calendar-impossible date in POST %s with a 400 naming the field',
    async (path, body, field) => {
      const m = merchants.UTC;
      const before = (await m.api.post('/api/invoices/search', {})).body.total_count;
      const res = await m.api.post(path, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'failed', msg: expect.stringMatching(field) });
      expect((await m.api.post('/api/invoices/search', {})).body.total_count).toBe(before);
    },
  );
});
