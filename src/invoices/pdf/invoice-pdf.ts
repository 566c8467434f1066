/**
 * The invoice as a PDF, laid out with PDFKit: the same content as the hosted page (the
 * InvoiceDocument), plus what a paper invoice needs: the logo, a table of items that breaks
 * across pages with its header repeated, every total, the payments of a paid invoice, the
 * payment link (clickable), and page numbers. Pure apart from PDFKit: no clock, no
 * database; the same input gives the same bytes (the metadata dates come from the invoice).
 */
import PDFDocument from 'pdfkit';
import { InvoiceDocument } from '../invoice-document';
import { FontFamily, invoiceFonts } from './fonts';
import { PdfText, TextStyle } from './pdf-text';

export interface InvoicePdfInput {
  doc: InvoiceDocument;
  /** PNG or JPEG bytes of the merchant's logo, already fetched; null for none. */
  logo: Buffer | null;
  /** What paying by card or bank costs (the hosted page's fee notice) and its disclosure. */
  feeLines: readonly string[];
  disclosure: string;
  /** The document's metadata dates: the invoice's own, so the output is reproducible. */
  createdAt: Date;
  updatedAt: Date;
}

const MARGIN = 48;
const FOOTER_HEIGHT = 28;
const MUTED = '#6b7280';
const RULE = '#d1d5db';
const HEADER_FILL = '#f3f4f6';
const PAID = '#047857';
const OVERDUE = '#b91c1c';

/** Letter paper where it is the norm (the locale's region), A4 everywhere else. */
export function paperSize(locale: string): 'LETTER' | 'A4' {
  const region = new Intl.Locale(locale).maximize().region ?? '';
  return ['US', 'CA', 'MX', 'PH', 'CL', 'CO', 'VE', 'GT', 'CR', 'PR'].includes(region)
    ? 'LETTER'
    : 'A4';
}

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
}

class InvoiceLayout {
  readonly pdf: PDFKit.PDFDocument;
  readonly text: PdfText;
  y = MARGIN;
  private readonly left = MARGIN;
  private readonly right: number;
  private readonly bottom: number;

  constructor(
    private readonly input: InvoicePdfInput,
    fonts: FontFamily,
  ) {
    const { doc } = input;
    this.pdf = new PDFDocument({
      size: paperSize(doc.locale),
      margin: MARGIN,
      bufferPages: true,
      autoFirstPage: true,
      pdfVersion: '1.7',
      lang: doc.locale,
      displayTitle: true,
      info: {
        Title: `Invoice ${doc.number}`,
        Author: doc.companyName,
        Subject: `Invoice ${doc.number} from ${doc.companyName}`,
        Creator: 'Rebill',
        Producer: 'Rebill',
        CreationDate: input.createdAt,
        ModDate: input.updatedAt,
      },
    });
    this.text = new PdfText(this.pdf, fonts);
    this.right = this.pdf.page.width - MARGIN;
    this.bottom = this.pdf.page.height - MARGIN - FOOTER_HEIGHT;
  }

  get width(): number {
    return this.right - this.left;
  }

  /** Starts a new page when `height` does not fit below y; true when it did. */
  ensure(height: number): boolean {
    if (this.y + height <= this.bottom) return false;
    this.pdf.addPage();
    this.y = MARGIN;
    return true;
  }

  rule(y: number, color = RULE, width = 0.75): void {
    this.pdf
      .moveTo(this.left, y)
      .lineTo(this.right, y)
      .lineWidth(width)
      .strokeColor(color)
      .stroke();
  }

  header(): void {
    const { doc, logo } = this.input;
    let leftY = MARGIN;
    if (logo !== null) {
      try {
        this.pdf.image(logo, this.left, leftY, { fit: [160, 56] });
        leftY += 64;
      } catch {
        // An image PDFKit cannot read (a corrupt PNG) leaves the logo out, not the invoice.
      }
    }
    for (const line of this.text.wrap(doc.companyName, this.width * 0.55, {
      size: 18,
      weight: 'bold',
    })) {
      this.text.draw(line, this.left, leftY, { size: 18, weight: 'bold' });
      leftY += this.text.lineHeight(18);
    }
    let rightY = MARGIN;
    this.text.draw(
      'INVOICE',
      this.right,
      rightY,
      { size: 20, weight: 'bold', color: '#1f2937' },
      'right',
    );
    rightY += 28;
    const facts: [string, string][] = [
      ['Invoice number', doc.number],
      ['Issued', doc.issuedDate],
      ['Due', doc.dueDate],
    ];
    if (doc.isPaid && doc.paidDate !== '') facts.push(['Paid', doc.paidDate]);
    for (const [label, value] of facts) {
      this.text.draw(label, this.right - 150, rightY, { size: 9, color: MUTED }, 'right');
      this.text.draw(value, this.right, rightY, { size: 9, weight: 'bold' }, 'right');
      rightY += 14;
    }
    const badge = doc.isPaid
      ? 'PAID'
      : doc.status === 'cancelled'
        ? 'CANCELLED'
        : doc.isOverdue
          ? 'OVERDUE'
          : '';
    if (badge !== '') {
      const color = doc.isPaid ? PAID : OVERDUE;
      const w = this.text.width(badge, { size: 11, weight: 'bold' }) + 16;
      this.pdf
        .roundedRect(this.right - w, rightY + 2, w, 18, 4)
        .lineWidth(1.2)
        .strokeColor(color)
        .stroke();
      this.text.draw(
        badge,
        this.right - 8,
        rightY + 5,
        { size: 11, weight: 'bold', color },
        'right',
      );
      rightY += 26;
    }
    this.y = Math.max(leftY, rightY) + 16;
  }

  parties(): void {
    const { doc } = this.input;
    const columnWidth = this.width / 2 - 12;
    const block = (title: string, lines: string[], x: number): number => {
      let y = this.y;
      this.text.draw(title.toUpperCase(), x, y, { size: 8, weight: 'bold', color: MUTED });
      y += 14;
      for (const line of lines) y = this.text.paragraph(line, x, y, columnWidth, { size: 10 });
      return y;
    };
    const billed = block('Bill to', doc.billTo, this.left);
    const from = block('From', doc.payableTo, this.left + this.width / 2 + 12);
    this.y = Math.max(billed, from) + 18;
  }

  private columns(): Column[] {
    const qty = 44;
    const unit = 96;
    const amount = 104;
    return [
      { title: 'Item', width: this.width - qty - unit - amount, align: 'left' },
      { title: 'Qty', width: qty, align: 'right' },
      { title: 'Unit price', width: unit, align: 'right' },
      { title: 'Amount', width: amount, align: 'right' },
    ];
  }

  private tableHeader(columns: Column[]): void {
    const height = 20;
    this.pdf.rect(this.left, this.y, this.width, height).fill(HEADER_FILL);
    let x = this.left;
    for (const c of columns) {
      const style: TextStyle = { size: 9, weight: 'bold', color: '#374151' };
      if (c.align === 'left') this.text.draw(c.title, x + 6, this.y + 5, style);
      else this.text.draw(c.title, x + c.width - 6, this.y + 5, style, 'right');
      x += c.width;
    }
    this.y += height + 4;
  }

  /** The items, one row each; a row never splits, and every page the table reaches repeats the header. */
  items(): void {
    const { doc } = this.input;
    const columns = this.columns();
    const itemWidth = (columns[0]?.width ?? 200) - 12;
    this.ensure(60);
    this.tableHeader(columns);
    for (const line of doc.lines) {
      const name = this.text.wrap(line.name, itemWidth, { size: 10, weight: 'bold' });
      const notes = [line.description, line.detail]
        .filter((s) => s !== '')
        .flatMap((s) => this.text.wrap(s, itemWidth, { size: 8.5 }));
      const height =
        name.length * this.text.lineHeight(10) + notes.length * this.text.lineHeight(8.5) + 8;
      if (this.ensure(height)) this.tableHeader(columns);
      let y = this.y;
      for (const l of name) {
        this.text.draw(l, this.left + 6, y, { size: 10, weight: 'bold' });
        y += this.text.lineHeight(10);
      }
      for (const l of notes) {
        this.text.draw(l, this.left + 6, y, { size: 8.5, color: MUTED });
        y += this.text.lineHeight(8.5);
      }
      const cells = [line.quantity, line.unitPrice, line.amount];
      let x = this.left + (columns[0]?.width ?? 0);
      cells.forEach((value, i) => {
        const c = columns[i + 1];
        if (c === undefined) return;
        this.text.draw(value, x + c.width - 6, this.y, { size: 10 }, 'right');
        x += c.width;
      });
      this.y += height;
      this.rule(this.y - 4);
    }
    this.y += 8;
  }

  totals(): void {
    const { doc } = this.input;
    const rows: { label: string; value: string; strong?: boolean; muted?: boolean }[] = [
      { label: 'Subtotal', value: doc.subtotal },
    ];
    if (doc.showDiscounts)
      rows.push({ label: 'Discounts (in the items above)', value: doc.discounts, muted: true });
    if (doc.showTax) rows.push({ label: 'Tax', value: doc.tax });
    if (doc.showShipping) rows.push({ label: 'Shipping', value: doc.shipping });
    if (doc.showAdjustment) rows.push({ label: 'Adjustment', value: doc.adjustment });
    rows.push({ label: 'Total', value: doc.total, strong: true });
    if (doc.showCredits) rows.push({ label: 'Credits', value: doc.credits });
    if (doc.showAmountPaid) rows.push({ label: 'Amount paid', value: doc.amountPaid });
    if (doc.showFeesPaid)
      rows.push({ label: 'Card fees paid on top', value: doc.feesPaid, muted: true });
    const rowHeight = 16;
    this.ensure(rows.length * rowHeight + 40);
    const labelRight = this.right - 130;
    for (const row of rows) {
      const style: TextStyle = {
        size: 10,
        weight: row.strong ? 'bold' : 'regular',
        color: row.muted ? MUTED : undefined,
      };
      this.text.draw(row.label, labelRight, this.y, style, 'right');
      this.text.draw(row.value, this.right - 6, this.y, style, 'right');
      this.y += rowHeight;
    }
    this.y += 2;
    this.pdf
      .moveTo(labelRight - 140, this.y)
      .lineTo(this.right, this.y)
      .lineWidth(1.5)
      .strokeColor('#111827')
      .stroke();
    this.y += 6;
    const due: TextStyle = { size: 13, weight: 'bold' };
    this.text.draw('Amount due', labelRight, this.y, due, 'right');
    this.text.draw(doc.amountDue, this.right - 6, this.y, due, 'right');
    this.y += 28;
  }

  section(title: string, minimum = 40): void {
    this.ensure(minimum);
    this.text.draw(title, this.left, this.y, { size: 11, weight: 'bold' });
    this.y += 18;
  }

  paragraphs(text: string, style: TextStyle = { size: 10 }): void {
    for (const line of this.text.wrap(text, this.width, style)) {
      this.ensure(this.text.lineHeight(style.size));
      this.text.draw(line, this.left, this.y, style);
      this.y += this.text.lineHeight(style.size);
    }
    this.y += 10;
  }

  payments(): void {
    const { doc } = this.input;
    if (doc.payments.length === 0) return;
    this.section(
      doc.isPaid
        ? `Paid in full${doc.paidDate ? ` on ${doc.paidDate}` : ''}: payments`
        : 'Payments received',
      60,
    );
    for (const p of doc.payments) {
      this.ensure(16);
      const method = [p.method, p.account].filter((s) => s !== '').join(' ');
      const fees = p.fees === '' ? '' : ` (+ ${p.fees} fees)`;
      this.text.draw(
        `${p.date} · ${method}${p.reference ? ` · ${p.reference}` : ''}`,
        this.left,
        this.y,
        { size: 9.5 },
      );
      this.text.draw(
        `${p.amount}${fees}`,
        this.right - 6,
        this.y,
        { size: 9.5, weight: 'bold' },
        'right',
      );
      this.y += 16;
    }
    this.y += 10;
  }

  payOnline(): void {
    const { doc, feeLines, disclosure } = this.input;
    const open = !doc.isPaid && doc.status !== 'cancelled';
    if (!open) return;
    this.section('Pay online', 60);
    const style: TextStyle = { size: 10, color: '#1d4ed8' };
    for (const line of this.text.wrap(doc.hostedUrl, this.width, style)) {
      this.ensure(this.text.lineHeight(10));
      const w = this.text.draw(line, this.left, this.y, style);
      this.pdf.link(this.left, this.y - 1, w, this.text.lineHeight(10), doc.hostedUrl);
      this.pdf
        .moveTo(this.left, this.y + 11)
        .lineTo(this.left + w, this.y + 11)
        .lineWidth(0.5)
        .strokeColor('#1d4ed8')
        .stroke();
      this.y += this.text.lineHeight(10);
    }
    this.y += 8;
    for (const line of feeLines) this.paragraphs(line, { size: 9 });
    if (disclosure !== '') this.paragraphs(disclosure, { size: 8.5, color: MUTED });
  }

  /** "Invoice INV-1 · ACME" and "Page 2 of 3" on every page, once the page count is known. */
  footers(): void {
    const { doc } = this.input;
    const range = this.pdf.bufferedPageRange();
    for (let i = 0; i < range.count; i++) {
      this.pdf.switchToPage(range.start + i);
      const y = this.pdf.page.height - MARGIN - 10;
      this.pdf
        .moveTo(this.left, y - 8)
        .lineTo(this.right, y - 8)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
      this.text.draw(`Invoice ${doc.number} · ${doc.companyName}`, this.left, y, {
        size: 8,
        color: MUTED,
      });
      this.text.draw(
        `Page ${i + 1} of ${range.count}`,
        this.right,
        y,
        { size: 8, color: MUTED },
        'right',
      );
    }
  }

  render(): Promise<Buffer> {
    const { doc } = this.input;
    this.header();
    this.parties();
    this.items();
    this.totals();
    this.payments();
    if (doc.message !== '') {
      this.section('Message');
      this.paragraphs(doc.message);
    }
    this.payOnline();
    this.footers();
    const chunks: Buffer[] = [];
    return new Promise((resolve, reject) => {
      this.pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.pdf.on('end', () => resolve(Buffer.concat(chunks)));
      this.pdf.on('error', reject);
      this.pdf.end();
    });
  }
}

/** The invoice as PDF bytes. */
export async function invoicePdf(input: InvoicePdfInput): Promise<Buffer> {
  return new InvoiceLayout(input, await invoiceFonts()).render();
}
