import { InvoiceDocument } from '../invoice-document';
import { PdfLine, renderPdf } from './pdf-writer';

const WIDTH = 84; // Courier characters that fit between the margins at 10pt

function row(left: string, right: string, width = WIDTH): string {
  const room = Math.max(1, width - right.length - 1);
  const shown = left.length > room ? `${left.slice(0, room - 1)}.` : left;
  return `${shown.padEnd(room)} ${right}`;
}

/** The invoice as a PDF: the same content as the hosted page, without the payment form. */
export function invoicePdf(doc: InvoiceDocument): Buffer {
  const lines: PdfLine[] = [
    { text: doc.companyName, font: 'bold', size: 18 },
    { text: `Invoice ${doc.number}`, font: 'bold', size: 14, spaceBefore: 6 },
    { text: `Status: ${doc.statusLabel}` },
    { text: `Issued: ${doc.issuedDate}` },
    { text: `Due: ${doc.dueDate}` },
    { text: 'From', font: 'bold', spaceBefore: 10 },
    ...doc.payableTo.map((text) => ({ text })),
    { text: 'Bill to', font: 'bold', spaceBefore: 10 },
    ...doc.billTo.map((text) => ({ text })),
    { text: row('Item', 'Qty      Unit price        Amount'), font: 'mono', spaceBefore: 14 },
    { text: '-'.repeat(WIDTH), font: 'mono' },
  ];
  for (const line of doc.lines) {
    const numbers = `${line.quantity.padStart(3)} ${line.unitPrice.padStart(16)} ${line.amount.padStart(13)}`;
    lines.push({ text: row(line.name, numbers), font: 'mono' });
    if (line.description !== '')
      lines.push({ text: `  ${line.description}`, font: 'mono', size: 8 });
  }
  lines.push({ text: '-'.repeat(WIDTH), font: 'mono' });
  const total = (label: string, value: string) =>
    lines.push({ text: row('', `${label.padEnd(14)} ${value.padStart(16)}`), font: 'mono' });
  total('Subtotal', doc.subtotal);
  if (doc.showTax) total('Tax', doc.tax);
  if (doc.showShipping) total('Shipping', doc.shipping);
  if (doc.showAdjustment) total('Adjustment', doc.adjustment);
  total('Total', doc.total);
  if (doc.showAmountPaid) total('Amount paid', doc.amountPaid);
  lines.push({
    text: row('', `${'Amount due'.padEnd(14)} ${doc.amountDue.padStart(16)}`),
    font: 'mono',
  });
  if (doc.message !== '') {
    lines.push({ text: 'Message', font: 'bold', spaceBefore: 14 });
    for (const part of doc.message.split(/\r?\n/)) lines.push({ text: part });
  }
  if (!doc.isPaid && doc.status !== 'cancelled') {
    lines.push({ text: `Pay online: ${doc.hostedUrl}`, spaceBefore: 14 });
  }
  return renderPdf(lines, `Invoice ${doc.number}`);
}
