import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { DataSource } from 'typeorm';
import { HostedUrls } from '../src/invoices/hosted-urls';
import { InvoiceLogos } from '../src/invoices/pdf/invoice-logos';
import { OutboxEmail } from '../src/notifications/outbox-email.entity';
import { APP_CONFIG, AppConfig } from '../src/platform/config/config';
import { CLOCK } from '../src/platform/clock/clock';
import { moneyFormat } from '../src/platform/money/currency';
import { launchBrowser } from './support/browser';
import { PdfViewer } from './support/pdf-viewer';
import {
  createMerchant,
  PARTNER_KEY,
  startTestApp,
  TestApp,
  TestMerchant,
  checkedFetch,
} from './support/test-app';

jest.setTimeout(120_000);

/** Intl writes no-break spaces ("1.234,56 €"); compare text with plain spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

const REFERENCE_PNG = path.join(__dirname, 'fixtures', 'invoice-pdf-page1.png');

function address(overrides: Record<string, unknown> = {}) {
  return {
    first_name: 'Pat',
    last_name: 'Payer',
    address_line_1: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    postal_code: '62701',
    country: 'US',
    ...overrides,
  };
}

function invoiceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    currency: 'USD',
    company_name: 'Müller & Söhne GmbH',
    payable_to: address({ company: 'Müller & Söhne GmbH', email: 'billing@mueller.example' }),
    bill_to: address({
      first_name: '王',
      last_name: '伟',
      company: '北京贸易有限公司',
      address_line_1: '朝阳区建国路 88号',
      city: 'Beijing',
      state: 'BJ',
      postal_code: '100000',
      country: 'CN',
      email: 'wang@beijing-trade.example',
    }),
    date_due: '2030-06-01T00:00:00Z',
    items: [
      {
        name: 'Café ☕ plan',
        description: 'Monthly coffee for the office',
        unit_price: 12345,
        quantity: 2,
        discount_amount: 690,
      },
      { name: '北京贸易 consulting', unit_price: 50000, quantity: 1 },
    ],
    enable_tax: true,
    tax_percent: '8.250',
    enable_shipping: true,
    shipping: 1500,
    adjustment: -500,
    discount_credited: 1000,
    payment_methods: ['card', 'ach'],
    send_via: 'none',
    ...overrides,
  };
}

/** A small PNG logo: a blue bar with a lighter square. */
function logoPng(): Buffer {
  const png = new PNG({ width: 120, height: 40 });
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 120; x++) {
      const i = (y * 120 + x) * 4;
      const inner = x > 8 && x < 40 && y > 8 && y < 32;
      png.data[i] = inner ? 147 : 29;
      png.data[i + 1] = inner ? 197 : 78;
      png.data[i + 2] = inner ? 253 : 216;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

interface LogoServer {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

async function startLogoServer(): Promise<LogoServer> {
  const hits = new Map<string, number>();
  const logo = logoPng();
  const server: Server = createServer((req, res) => {
    const p = req.url ?? '/';
    hits.set(p, (hits.get(p) ?? 0) + 1);
    if (p === '/logo.png')
      return void res.writeHead(200, { 'content-type': 'image/png' }).end(logo);
    if (p === '/huge.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end(Buffer.concat([logo.subarray(0, 8), Buffer.alloc(600 * 1024)]));
    }
    if (p === '/not-an-image') return void res.writeHead(200).end('<html>hi</html>');
    if (p === '/slow.png') return; // never answers
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('invoice documents: PDF, page and email in every currency and script', () => {
  let t: TestApp;
  let m: TestMerchant;
  let browser: Browser;
  let viewer: PdfViewer;
  let logos: LogoServer;
  let db: DataSource;

  const pdfOf = async (merchant: TestMerchant, id: string): Promise<Buffer> => {
    const res = await checkedFetch(t.baseUrl, `/api/invoice/${id}/pdf`, {
      headers: { authorization: merchant.privateKey },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    return Buffer.from(await res.arrayBuffer());
  };

  const create = async (merchant: TestMerchant, body: Record<string, unknown>) => {
    const res = await merchant.api.post('/api/invoice', body);
    if (res.status !== 200) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
    return res.body.data as Record<string, any>;
  };

  /** What a browser shows for an HTML document (a hosted page or an email). */
  const renderedText = async (html: string): Promise<string> => {
    const page = await browser.newPage();
    try {
      // Emails load nothing remote here: the logo is left out of the rendering check.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'domcontentloaded' });
      return plain(await page.innerText('body'));
    } finally {
      await page.close();
    }
  };

  beforeAll(async () => {
    logos = await startLogoServer();
    t = await startTestApp();
    t.app.get(HostedUrls).setBase(t.baseUrl);
    db = t.app.get(DataSource);
    m = await createMerchant(t.baseUrl, 'America/Chicago');
    browser = await launchBrowser();
    viewer = await PdfViewer.open(browser);
  });
  afterAll(async () => {
    await viewer?.close();
    await browser?.close();
    await t?.close();
    await logos?.close();
  });
  afterEach(() => t.clock.reset());

  it('prints every total and the non-Latin names exactly, with a clickable payment link and page numbers', async () => {
    t.clock.setNow('2030-05-01T15:00:00Z');
    const inv = await create(m, invoiceBody({ invoice_number: 'UNI-1', amount_paid: 5000 }));
    // 24690 - 690 + 50000 = 74000; tax 8.25% = 6105; + 1500 shipping - 500 = 81105 total.
    expect(inv.subtotal).toBe(74000);
    expect(inv.tax).toBe(6105);
    expect(inv.total).toBe(81105);
    expect(inv.amount_due).toBe(81105 - 5000 - 1000);

    const pdf = await pdfOf(m, inv.id);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const read = await viewer.read(pdf);
    const text = plain(read.text);
    expect(read.pages).toHaveLength(1);
    for (const expected of [
      'Müller & Söhne GmbH',
      '北京贸易有限公司',
      '王 伟',
      '朝阳区建国路 88号',
      'Café ☕ plan',
      '北京贸易 consulting',
      'Invoice number UNI-1',
      'Issued May 1, 2030',
      // Due 2030-06-01T00:00Z is May 31 in Chicago: dates are in the merchant's time zone.
      'Due May 31, 2030',
      'Item Qty Unit price Amount',
      'Café ☕ plan 2 $123.45 $240.00',
      'Discount -$6.90',
      'Subtotal $740.00',
      'Discounts (in the items above) -$6.90',
      'Tax $61.05',
      'Shipping $15.00',
      'Adjustment -$5.00',
      'Total $811.05',
      'Credits -$10.00',
      'Amount paid $50.00',
      'Amount due $751.05',
      'Pay online',
      inv.hosted_url,
      'Invoice UNI-1 · Müller & Söhne GmbH Page 1 of 1',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('?');
    expect(read.pages[0]?.links).toEqual([inv.hosted_url]);
    expect(read.info.Title).toBe('Invoice UNI-1');
    expect(read.info.CreationDate).toMatch(/^D:20300501150000/);

    // Deterministic: the same invoice gives the same bytes.
    expect((await pdfOf(m, inv.id)).equals(pdf)).toBe(true);
    // The customer's copy from the hosted page is the same document.
    const token = inv.public_url as string;
    const customer = Buffer.from(
      await (await checkedFetch(t.baseUrl, `/invoice/${token}/pdf`)).arrayBuffer(),
    );
    expect(customer.equals(pdf)).toBe(true);
  });

  it('lays 120 items over several pages, repeating the table header on each', async () => {
    const items = Array.from({ length: 120 }, (_, i) => ({
      name: `Line ${i + 1}: ${i % 7 === 0 ? '北京贸易 freight forwarding with a description long enough to wrap onto a second line of the item column' : 'Widget'}`,
      unit_price: 100 + i,
      quantity: 1,
    }));
    const inv = await create(m, invoiceBody({ invoice_number: 'LONG-120', items, amount_paid: 0 }));
    const read = await viewer.read(await pdfOf(m, inv.id));
    expect(read.pages.length).toBeGreaterThanOrEqual(3);
    read.pages.forEach((page, i) => {
      const lines = page.lines.map(plain);
      const hasItems = lines.some((l) => /^Line \d+:/.test(l));
      if (hasItems) expect(lines).toContain('Item Qty Unit price Amount');
      expect(lines[lines.length - 1]).toBe(
        `Invoice LONG-120 · Müller & Söhne GmbH Page ${i + 1} of ${read.pages.length}`,
      );
    });
    // Every item is printed once, in order, and its row never splits across pages.
    const itemLines = read.pages.flatMap((p) => p.lines).filter((l) => /^Line \d+:/.test(l));
    expect(itemLines.map((l) => Number(/^Line (\d+):/.exec(l)?.[1]))).toEqual(
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    const text = plain(read.text);
    expect(text).toContain(`Total ${moneyFormat('USD').money(inv.total)}`);
    expect(text).toContain(`Amount due ${moneyFormat('USD').money(inv.amount_due)}`);
  });

  it('says a paid invoice is paid, lists its payments, and page 1 matches the reference image', async () => {
    t.clock.setNow('2030-05-01T15:00:00Z');
    const inv = await create(
      m,
      invoiceBody({
        invoice_number: 'PAID-1',
        company_logo_url: `${logos.url}/logo.png`,
        message: 'Danke für Ihren Auftrag! 感谢您的订单。',
      }),
    );
    t.clock.setNow('2030-05-03T10:00:00Z');
    const paid = await m.api.post(`/api/invoice/${inv.id}/mark-as-paid`, {
      method: 'bank_transfer',
      note: 'wire 20300503-77',
    });
    expect(paid.status).toBe(200);
    const pdf = await pdfOf(m, inv.id);
    const read = await viewer.read(pdf);
    const text = plain(read.text);
    expect(text).toContain('PAID');
    expect(text).toContain('Paid May 3, 2030');
    expect(text).toContain('Paid in full on May 3, 2030: payments');
    expect(text).toContain('May 3, 2030 · Bank transfer · wire 20300503-77 $801.05');
    expect(text).toContain('Amount paid $801.05');
    expect(text).toContain('Amount due $0.00');
    expect(text).not.toContain('Pay online');
    expect(read.pages[0]?.links).toEqual([]);
    // The logo was fetched once, for this PDF, and is kept: a second PDF does not fetch it.
    await pdfOf(m, inv.id);
    expect(logos.hits.get('/logo.png')).toBe(1);

    const shot = PNG.sync.read(await viewer.screenshot(pdf, 1));
    // UPDATE_REFERENCE_IMAGES=1 writes a new reference after an intended layout change.
    if (process.env.UPDATE_REFERENCE_IMAGES === '1') {
      mkdirSync(path.dirname(REFERENCE_PNG), { recursive: true });
      writeFileSync(REFERENCE_PNG, PNG.sync.write(shot));
    }
    const reference = PNG.sync.read(readFileSync(REFERENCE_PNG));
    expect([shot.width, shot.height]).toEqual([reference.width, reference.height]);
    const diff = new PNG({ width: shot.width, height: shot.height });
    const differing = pixelmatch(shot.data, reference.data, diff.data, shot.width, shot.height, {
      threshold: 0.2,
    });
    // Anti-aliasing may differ between Chromium builds; a layout change moves far more.
    expect(differing / (shot.width * shot.height)).toBeLessThan(0.005);
  });

  describe.each([
    {
      currency: 'JPY',
      locale: 'ja-JP',
      unitPrice: 1500,
      quantity: 3,
      // 0 minor units: 1500 is ¥1,500.
      due: '￥4,500',
      item: '￥1,500',
    },
    {
      currency: 'KWD',
      locale: 'en-US',
      unitPrice: 12345,
      quantity: 2,
      due: 'KWD 24.690',
      item: 'KWD 12.345',
    },
    {
      currency: 'EUR',
      locale: 'de-DE',
      unitPrice: 123456,
      quantity: 1,
      due: '1.234,56 €',
      item: '1.234,56 €',
    },
    {
      currency: 'USD',
      locale: 'en-US',
      unitPrice: 123456,
      quantity: 1,
      due: '$1,234.56',
      item: '$1,234.56',
    },
  ])('$currency in $locale', ({ currency, locale, unitPrice, quantity, due, item }) => {
    let merchant: TestMerchant;
    let inv: Record<string, any>;
    beforeAll(async () => {
      // The merchant's locale applies unless the invoice names its own (the JPY one does).
      merchant = await createMerchant(t.baseUrl, 'Europe/Berlin', {
        locale: currency === 'JPY' ? 'en-US' : locale,
      });
      inv = await create(merchant, {
        ...invoiceBody({
          currency,
          ...(currency === 'JPY' ? { locale } : {}),
          invoice_number: `CUR-${currency}`,
          items: [{ name: 'Service', unit_price: unitPrice, quantity }],
          enable_tax: false,
          enable_shipping: false,
          adjustment: 0,
          discount_credited: 0,
          send_via: 'email',
          email_to: 'wang@beijing-trade.example',
        }),
      });
    });

    it('keeps wire amounts in integer minor units of the currency', () => {
      expect(inv.currency).toBe(currency);
      expect(inv.amount_due).toBe(unitPrice * quantity);
      expect(inv.locale).toBe(currency === 'JPY' ? locale : '');
    });

    it('shows the amounts on the hosted page', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(inv.hosted_url);
        const text = plain(await page.innerText('body'));
        expect(text).toContain(plain(due));
        expect(text).toContain(plain(item));
      } finally {
        await page.close();
      }
    });

    it('shows the amounts in the PDF', async () => {
      const text = plain((await viewer.read(await pdfOf(merchant, inv.id))).text);
      expect(text).toContain(`Amount due ${plain(due)}`);
      expect(text).toContain(`Service ${quantity} ${plain(item)} ${plain(due)}`);
    });

    it('shows the amounts in the email, as HTML a browser renders and as text', async () => {
      const row = await db
        .getRepository(OutboxEmail)
        .findOneByOrFail({ subjectId: inv.id, kind: 'invoice_new' });
      expect(plain(row.subject)).toContain(plain(due));
      const html = await renderedText(row.htmlBody ?? '');
      expect(html).toContain(`Amount due\t${plain(due)}`);
      expect(html).toContain(`Service × ${quantity}\t${plain(due)}`);
      expect(html).toContain('View and pay invoice');
      expect(plain(row.textBody)).toContain(`Amount due: ${plain(due)}`);
      expect(plain(row.textBody)).toContain(inv.hosted_url);
      expect(row.textBody).toContain('Müller & Söhne GmbH');
    });
  });

  it('renders every email template in HTML and text with the totals and the link', async () => {
    t.clock.setNow('2030-05-01T15:00:00Z');
    const inv = await create(
      m,
      invoiceBody({
        invoice_number: 'MAIL-ALL',
        send_via: 'email',
        email_to: 'wang@beijing-trade.example',
      }),
    );
    const part = await m.api.post(`/api/invoice/${inv.id}/mark-as-paid`, { amount: 10000 });
    expect(part.status).toBe(200);
    t.clock.setNow('2030-06-10T15:00:00Z');
    expect((await m.api.post(`/api/invoice/${inv.id}/resend`, {})).status).toBe(200);
    const rows = await db
      .getRepository(OutboxEmail)
      .find({ where: { subjectId: inv.id }, order: { createdAt: 'ASC' } });
    // Two of them are written at the same instant of the test clock: compare them as a set.
    expect(rows.map((r) => r.kind).sort()).toEqual([
      'invoice_new',
      'invoice_overdue',
      'invoice_receipt',
    ]);
    for (const row of rows) {
      const html = await renderedText(row.htmlBody ?? '');
      for (const text of [html, plain(row.textBody)]) {
        expect(text).toContain('Müller & Söhne GmbH');
        expect(text).toMatch(/Total:?\s+\$811\.05/);
        expect(text).toMatch(/Amount due:?\s+\$(801\.05|701\.05)/);
      }
      expect(row.textBody).toContain(inv.hosted_url);
      expect(row.htmlBody).toContain(`href="${inv.hosted_url}"`);
      expect(row.textBody).not.toContain('&amp;');
    }
  });

  it('refuses a locale that is not one, for a merchant and for an invoice, naming the field', async () => {
    const partner = await fetch(`${t.baseUrl}/api/partner/merchants`, {
      method: 'POST',
      headers: { authorization: PARTNER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bad Locale Ltd', locale: 'not a locale' }),
    });
    expect(partner.status).toBe(400);
    expect(((await partner.json()) as { msg: string }).msg).toMatch(/^invalid locale: /);
    const res = await m.api.post('/api/invoice', invoiceBody({ locale: 'xx-not-real-999' }));
    expect(res.status).toBe(400);
    expect(res.body.msg).toMatch(/^invalid locale: must be a BCP 47 language tag/);
    const res2 = await m.api.post('/api/invoice', invoiceBody({ currency: 'XAU' }));
    expect(res2.body.msg).toBe('invalid currency: XAU is not an active ISO 4217 currency code');
  });

  describe('logo fetching', () => {
    const logosWith = (allowPrivate: boolean) =>
      new InvoiceLogos(db, t.app.get(CLOCK), {
        ...t.app.get<AppConfig>(APP_CONFIG),
        outboundAllowPrivate: allowPrivate,
      });

    it('never fetches from a private address unless the setting allows it', async () => {
      const before = logos.hits.get('/logo.png') ?? 0;
      const url = `${logos.url}/logo.png?private-check`;
      expect(await logosWith(false).logoFor(m.id, url)).toBeNull();
      expect(logos.hits.get('/logo.png?private-check')).toBeUndefined();
      const [row] = await db.query(`SELECT failure FROM invoice_logos WHERE url = $1`, [url]);
      expect(row.failure).toMatch(/loopback|not allowed|public/);
      expect(logos.hits.get('/logo.png') ?? 0).toBe(before);
    });

    it('refuses a logo that is too large or not an image, and one that does not answer in time', async () => {
      const fetcher = logosWith(true);
      expect(await fetcher.logoFor(m.id, `${logos.url}/huge.png`)).toBeNull();
      expect(await fetcher.logoFor(m.id, `${logos.url}/not-an-image`)).toBeNull();
      const started = Date.now();
      expect(await fetcher.logoFor(m.id, `${logos.url}/slow.png`)).toBeNull();
      expect(Date.now() - started).toBeLessThan(10_000);
      const failures = await db.query(
        `SELECT url, failure FROM invoice_logos WHERE merchant_id = $1 ORDER BY url`,
        [m.id],
      );
      const byPath = Object.fromEntries(
        failures.map((r: { url: string; failure: string }) => [new URL(r.url).pathname, r.failure]),
      );
      expect(byPath['/huge.png']).toMatch(/larger than/);
      expect(byPath['/not-an-image']).toMatch(/not a PNG or JPEG/);
      expect(byPath['/slow.png']).toMatch(/did not answer/);
      // Kept: asking again does not fetch again, until a failure is a day old.
      await fetcher.logoFor(m.id, `${logos.url}/huge.png`);
      expect(logos.hits.get('/huge.png')).toBe(1);
      t.clock.setNow(new Date(Date.now() + 25 * 3600_000));
      await fetcher.logoFor(m.id, `${logos.url}/huge.png`);
      expect(logos.hits.get('/huge.png')).toBe(2);
    });
  });
});
