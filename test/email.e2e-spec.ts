import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { HostedUrls } from '../src/invoices/hosted-urls';
import { OutboxWorker } from '../src/notifications/outbox-worker.service';
import { startSmtpServer, TestSmtpServer } from './support/smtp';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

function invoiceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const address = {
    first_name: 'Pat',
    last_name: 'Payer',
    address_line_1: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    postal_code: '62701',
    country: 'US',
  };
  return {
    currency: 'USD',
    company_name: 'Mailer Co',
    payable_to: { ...address, company: 'Mailer Co', email: 'billing@mailer.example' },
    bill_to: { ...address, email: 'pat@payer.example' },
    date_due: '2030-06-01T00:00:00Z',
    items: [{ name: 'Consulting', unit_price: 12500, quantity: 2 }],
    payment_methods: ['card'],
    send_via: 'email',
    ...overrides,
  };
}

describe('email: outbox, worker and SMTP delivery', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let m: TestMerchant;
  let db: DataSource;
  let worker: OutboxWorker;

  const outboxRow = async (invoiceId: string) =>
    (
      await db.query(`SELECT * FROM email_outbox WHERE subject_id = $1 ORDER BY created_at`, [
        invoiceId,
      ])
    )[0];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ SMTP_URL: `${smtp.url}/?from=invoices@rebill.example` });
    t.app.get(HostedUrls).setBase(t.baseUrl);
    db = t.app.get(DataSource);
    worker = t.app.get(OutboxWorker);
    m = await createMerchant(t.baseUrl);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  afterEach(() => t.clock.reset());

  it('delivers the new-invoice email over SMTP, in HTML and text, with a link that opens the page', async () => {
    const created = await m.api.post(
      '/api/invoice',
      invoiceBody({ email_to: 'first@payer.example', invoice_number: 'MAIL-1' }),
    );
    expect(created.status).toBe(200);
    const hostedUrl: string = created.body.data.hosted_url;
    expect(smtp.messages.filter((x) => x.to.includes('first@payer.example'))).toHaveLength(0);

    const drained = await worker.drainOnce({ merchantId: m.id });
    expect(drained.sent).toBeGreaterThanOrEqual(1);
    const mail = await smtp.waitFor((x) => x.to.includes('first@payer.example'));
    expect(mail.subject).toBe('Invoice MAIL-1 from Mailer Co: $250.00 due June 1, 2030');
    expect(mail.from).toBe('invoices@rebill.example');
    expect(mail.headers.from).toBe('Mailer Co <invoices@rebill.example>');
    expect(mail.headers['reply-to']).toBe('billing@mailer.example');
    expect(mail.text).toContain(hostedUrl);
    expect(mail.text).toContain('Consulting x 2: $250.00');
    expect(mail.html).toContain(`href="${hostedUrl}"`);

    const row = await outboxRow(created.body.data.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(row.sent_at).not.toBeNull();
    expect(row.delivery_ref).toMatch(/@/);

    const link = /https?:\/\/\S+\/invoice\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    expect(link).toBe(hostedUrl);
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Invoice MAIL-1');
    expect(html).toContain('$250.00');
  });

  it('retries a temporary SMTP failure with backoff and records the attempts', async () => {
    t.clock.setNow('2030-01-01T00:00:00Z');
    const created = await m.api.post(
      '/api/invoice',
      invoiceBody({ email_to: 'retry@payer.example' }),
    );
    smtp.refuseNext(1, 451);
    const first = await worker.drainOnce({ merchantId: m.id });
    expect(first).toEqual({ sent: 0, retrying: 1, failed: 0 });
    let row = await outboxRow(created.body.data.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/451/);
    expect(new Date(row.next_attempt_at).toISOString()).toBe('2030-01-01T00:01:00.000Z');

    // Not due yet: nothing happens.
    expect(await worker.drainOnce({ merchantId: m.id })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
    });

    smtp.refuseNext(1, 421);
    t.clock.setNow('2030-01-01T00:01:00Z');
    await worker.drainOnce({ merchantId: m.id });
    row = await outboxRow(created.body.data.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(new Date(row.next_attempt_at).toISOString()).toBe('2030-01-01T00:03:00.000Z');

    t.clock.setNow('2030-01-01T00:03:00Z');
    expect(await worker.drainOnce({ merchantId: m.id })).toEqual({
      sent: 1,
      retrying: 0,
      failed: 0,
    });
    row = await outboxRow(created.body.data.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    await smtp.waitFor((x) => x.to.includes('retry@payer.example'));
  });

  it('gives up at once when the server refuses the message for good (5xx)', async () => {
    const created = await m.api.post(
      '/api/invoice',
      invoiceBody({ email_to: 'gone@payer.example' }),
    );
    smtp.refuseNext(1, 550);
    expect(await worker.drainOnce({ merchantId: m.id })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 1,
    });
    const row = await outboxRow(created.body.data.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toMatch(/550/);
  });

  it('never sends one message twice when several workers drain at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await m.api.post(
        '/api/invoice',
        invoiceBody({ email_to: `many${i}@payer.example` }),
      );
      ids.push(res.body.data.id);
    }
    const results = await Promise.all([
      worker.drainOnce({ merchantId: m.id }),
      worker.drainOnce({ merchantId: m.id }),
      worker.drainOnce({ merchantId: m.id }),
    ]);
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(6);
    for (let i = 0; i < 6; i++) {
      expect(smtp.messages.filter((x) => x.to.includes(`many${i}@payer.example`))).toHaveLength(1);
    }
    const outboxIds = smtp.messages.map((x) => x.headers['x-rebill-message-id']);
    expect(new Set(outboxIds).size).toBe(outboxIds.length);
  });

  it('writes nothing to the outbox when the change that would send it fails', async () => {
    const before = await db.query(
      `SELECT count(*)::int AS n FROM email_outbox WHERE merchant_id = $1`,
      [m.id],
    );
    const bad = await m.api.post('/api/invoice', invoiceBody({ invoice_number: 'MAIL-1' })); // duplicate number
    expect(bad.status).toBe(409);
    const after = await db.query(
      `SELECT count(*)::int AS n FROM email_outbox WHERE merchant_id = $1`,
      [m.id],
    );
    expect(after[0].n).toBe(before[0].n);
  });
});

describe('email without SMTP_URL', () => {
  it('writes each message to files under <data dir>/mail so it can be opened', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rebill-mail-'));
    const t = await startTestApp({ REBILL_DATA_DIR: dataDir });
    try {
      t.app.get(HostedUrls).setBase(t.baseUrl);
      const m = await createMerchant(t.baseUrl);
      const created = await m.api.post(
        '/api/invoice',
        invoiceBody({ email_to: 'file@payer.example' }),
      );
      expect((await t.app.get(OutboxWorker).drainOnce({ merchantId: m.id })).sent).toBe(1);
      const files = await readdir(path.join(dataDir, 'mail'));
      const eml = files.find((f) => f.endsWith('.eml'));
      expect(eml).toBeDefined();
      expect(files).toContain(eml!.replace(/\.eml$/, '.html'));
      const raw = await readFile(path.join(dataDir, 'mail', eml!), 'utf8');
      expect(raw).toMatch(/^To: file@payer\.example$/m);
      expect(raw).toContain('Subject: Invoice');
      const html = await readFile(
        path.join(dataDir, 'mail', eml!.replace(/\.eml$/, '.html')),
        'utf8',
      );
      expect(html).toContain(created.body.data.hosted_url);
    } finally {
      await t.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
