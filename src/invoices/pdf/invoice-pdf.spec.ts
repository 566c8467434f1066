import PDFDocument from 'pdfkit';
import { invoiceDocument } from '../invoice-document';
import { Invoice } from '../invoice.entity';
import { fontRuns, invoiceFonts } from './fonts';
import { imageTypeOf } from './invoice-logos';
import { invoicePdf, paperSize } from './invoice-pdf';
import { PdfText } from './pdf-text';

const address = {
  first_name: '',
  last_name: '',
  company: '',
  address_line_1: '1 Main St',
  address_line_2: '',
  city: 'Springfield',
  state: 'IL',
  postal_code: '62701',
  country: 'US',
  email: '',
  phone: '',
};

function invoice(overrides: Partial<Invoice> = {}): Invoice {
  const computed = {
    discount_amount: 250,
    freight_amount: 0,
    local_tax: 0,
    national_tax: 0,
    tax_amount: 0,
    amount: 123456 - 250,
  };
  return {
    id: 'inv_1',
    invoiceNumber: 'INV-9',
    currency: 'EUR',
    locale: null,
    companyName: 'Müller & Söhne',
    companyLogoUrl: '',
    payableTo: { ...address, company: 'Müller & Söhne' },
    billTo: { ...address, company: '北京贸易有限公司' },
    items: [
      {
        id: 'i1',
        name: 'Café ☕ plan',
        description: '',
        quantity: 1,
        unit_price: 123456,
        computed,
      },
    ],
    subtotal: 123206,
    tax: 0,
    shipping: 0,
    adjustment: 0,
    total: 123206,
    amountPaid: 1000,
    discountCredited: 500,
    surchargePaid: 0,
    serviceFeesPaid: 0,
    amountDue: 121706,
    status: 'partially_paid',
    dateDue: new Date('2030-06-01T00:00:00Z'),
    overdueAt: new Date('2030-06-02T00:00:00Z'),
    createdAt: new Date('2030-05-01T12:00:00Z'),
    updatedAt: new Date('2030-05-02T12:00:00Z'),
    paidAt: null,
    message: '',
    publicToken: 'tok',
    ...overrides,
  } as unknown as Invoice;
}

const context = (locale = 'de-DE') => ({
  merchant: { name: 'M', timezone: 'Europe/Berlin', locale },
  now: new Date('2030-05-03T00:00:00Z'),
  hostedUrl: 'https://pay.example/invoice/tok',
});
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('invoiceDocument', () => {
  it("writes amounts and dates in the merchant's locale, and every total", () => {
    const doc = invoiceDocument(invoice(), context('de-DE'));
    expect(plain(doc.lines[0]!.unitPrice)).toBe('1.234,56 €');
    expect(plain(doc.lines[0]!.detail)).toBe('Discount -2,50 €');
    expect(plain(doc.subtotal)).toBe('1.232,06 €');
    expect(plain(doc.discounts)).toBe('-2,50 €');
    expect(plain(doc.credits)).toBe('-5,00 €');
    expect(plain(doc.amountPaid)).toBe('10,00 €');
    expect(plain(doc.amountDue)).toBe('1.217,06 €');
    expect(doc.dueDate).toBe('1. Juni 2030');
    expect([doc.showDiscounts, doc.showCredits, doc.showAmountPaid, doc.showTax]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("prefers the invoice's own locale to the merchant's", () => {
    const doc = invoiceDocument(invoice({ locale: 'en-US', currency: 'JPY' }), context('de-DE'));
    expect(doc.locale).toBe('en-US');
    expect(doc.lines[0]!.unitPrice).toBe('¥123,456');
    expect(doc.dueDate).toBe('June 1, 2030');
  });
});

describe('fonts', () => {
  it('sets each run in the first face that has its glyphs', async () => {
    const { regular } = await invoiceFonts();
    expect(fontRuns('Café ☕ 北京贸易 GmbH', regular)).toEqual([
      { face: 'Sans', text: 'Café ☕ ' },
      { face: 'Sans-CJK', text: '北京贸易 ' },
      { face: 'Sans', text: 'GmbH' },
    ]);
  });
});

describe('PdfText.wrap', () => {
  it('breaks at spaces, between CJK characters, and inside a word only when it must', async () => {
    const text = new PdfText(new PDFDocument(), await invoiceFonts());
    const style = { size: 10 };
    const words = text.wrap('one two three four five six seven eight nine ten', 80, style);
    expect(words.length).toBeGreaterThan(1);
    expect(words.join(' ')).toBe('one two three four five six seven eight nine ten');
    for (const line of words) expect(text.width(line, style)).toBeLessThanOrEqual(80);
    const cjk = text.wrap('北京贸易有限公司北京贸易有限公司北京贸易有限公司', 60, style);
    expect(cjk.length).toBeGreaterThan(1);
    expect(cjk.join('')).toBe('北京贸易有限公司北京贸易有限公司北京贸易有限公司');
    const long = text.wrap(
      'https://pay.example/invoice/aVeryLongTokenWithoutAnySpacesInIt',
      60,
      style,
    );
    expect(long.join('')).toBe('https://pay.example/invoice/aVeryLongTokenWithoutAnySpacesInIt');
    for (const line of long) expect(text.width(line, style)).toBeLessThanOrEqual(60);
    expect(text.wrap('first\nsecond', 500, style)).toEqual(['first', 'second']);
  });
});

describe('invoicePdf', () => {
  it('gives the same bytes for the same invoice', async () => {
    const input = () => ({
      doc: invoiceDocument(invoice(), context()),
      logo: null,
      feeLines: [],
      disclosure: '',
      createdAt: new Date('2030-05-01T12:00:00Z'),
      updatedAt: new Date('2030-05-02T12:00:00Z'),
    });
    const first = await invoicePdf(input());
    expect(first.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    expect((await invoicePdf(input())).equals(first)).toBe(true);
  });

  it('uses Letter paper where it is the norm and A4 elsewhere', () => {
    expect(paperSize('en-US')).toBe('LETTER');
    expect(paperSize('fr-CA')).toBe('LETTER');
    expect(paperSize('de-DE')).toBe('A4');
    expect(paperSize('en-GB')).toBe('A4');
    expect(paperSize('ja')).toBe('A4');
  });
});

describe('imageTypeOf', () => {
  it('knows PNG and JPEG by their bytes, whatever the server said', () => {
    expect(imageTypeOf(Buffer.from('89504e470d0a1a0a0000', 'hex'))).toBe('image/png');
    expect(imageTypeOf(Buffer.from('ffd8ffe000104a464946', 'hex'))).toBe('image/jpeg');
    expect(imageTypeOf(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(imageTypeOf(Buffer.alloc(0))).toBeNull();
  });
});
