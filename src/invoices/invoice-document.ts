/**
 * An invoice as people read it: amounts formatted in its currency, dates in the merchant's
 * time zone, addresses as lines. Shared by the hosted page, the emails and the PDF, so all
 * three say the same thing. Pure: the time and the time zone are passed in.
 */
import { formatMoney } from './currency';
import { effectiveStatus } from './invoice-status';
import { Invoice, InvoiceAddress, InvoiceStatus } from './invoice.entity';

export interface DocumentLine {
  name: string;
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
}

export interface InvoiceDocument {
  id: string;
  /** The invoice number, or the id when it has none. */
  number: string;
  companyName: string;
  logoUrl: string;
  currency: string;
  payableTo: string[];
  billTo: string[];
  billToName: string;
  lines: DocumentLine[];
  subtotal: string;
  tax: string;
  showTax: boolean;
  shipping: string;
  showShipping: boolean;
  adjustment: string;
  showAdjustment: boolean;
  total: string;
  amountPaid: string;
  showAmountPaid: boolean;
  amountDue: string;
  issuedDate: string;
  dueDate: string;
  message: string;
  status: InvoiceStatus;
  statusLabel: string;
  isPaid: boolean;
  isOverdue: boolean;
  hostedUrl: string;
}

const STATUS_LABELS: Record<InvoiceStatus, string> = {
  pending: 'Open',
  partially_paid: 'Partially paid',
  overdue: 'Overdue',
  paid: 'Paid',
  cancelled: 'Cancelled',
};

export function formatDate(date: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      timeZone,
    }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-US', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      timeZone: 'UTC',
    }).format(date);
  }
}

export function addressLines(a: InvoiceAddress): string[] {
  const name = [a.first_name, a.last_name].filter((s) => s !== '').join(' ');
  const cityLine = [a.city, [a.state, a.postal_code].filter((s) => s !== '').join(' ')]
    .filter((s) => s !== '')
    .join(', ');
  return [name, a.company, a.address_line_1, a.address_line_2, cityLine, a.country, a.email]
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The name the merchant goes by on this invoice. */
export function companyNameOf(invoice: Invoice, merchantName: string): string {
  return invoice.companyName || invoice.payableTo.company || merchantName;
}

export function invoiceNumberOf(invoice: Invoice): string {
  return invoice.invoiceNumber ?? invoice.id;
}

export function invoiceDocument(
  invoice: Invoice,
  context: { merchantName: string; timeZone: string; now: Date; hostedUrl: string },
): InvoiceDocument {
  const money = (cents: number) => formatMoney(cents, invoice.currency);
  const status = effectiveStatus(invoice, context.now);
  const billToName =
    [invoice.billTo.first_name, invoice.billTo.last_name].filter((s) => s !== '').join(' ') ||
    invoice.billTo.company;
  return {
    id: invoice.id,
    number: invoiceNumberOf(invoice),
    companyName: companyNameOf(invoice, context.merchantName),
    logoUrl: invoice.companyLogoUrl,
    currency: invoice.currency,
    payableTo: addressLines(invoice.payableTo),
    billTo: addressLines(invoice.billTo),
    billToName,
    lines: invoice.items.map((i) => ({
      name: i.name || i.type || 'Item',
      description: i.description,
      quantity: String(i.quantity),
      unitPrice: money(i.unit_price),
      amount: money(i.computed.amount),
    })),
    subtotal: money(invoice.subtotal),
    tax: money(invoice.tax),
    showTax: invoice.tax !== 0,
    shipping: money(invoice.shipping),
    showShipping: invoice.shipping !== 0,
    adjustment: money(invoice.adjustment),
    showAdjustment: invoice.adjustment !== 0,
    total: money(invoice.total),
    amountPaid: money(invoice.amountPaid),
    showAmountPaid: invoice.amountPaid !== 0,
    amountDue: money(invoice.amountDue),
    issuedDate: formatDate(invoice.createdAt, context.timeZone),
    dueDate: formatDate(invoice.dateDue, context.timeZone),
    message: invoice.message,
    status,
    statusLabel: STATUS_LABELS[status],
    isPaid: status === 'paid',
    isOverdue: status === 'overdue',
    hostedUrl: context.hostedUrl,
  };
}
