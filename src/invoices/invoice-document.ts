/**
 * An invoice as people read it: amounts formatted in its currency and locale, dates in the
 * merchant's time zone and the invoice's locale, addresses as lines. Shared by the hosted
 * page, the emails and the PDF, so all three say the same thing. Pure: the time, the time
 * zone and the locale are passed in.
 */
import { DEFAULT_LOCALE, MoneyFormat, moneyFormat } from '../platform/money/currency';
import { effectiveStatus } from './invoice-status';
import { InvoicePayment } from './invoice-payment.entity';
import { Invoice, InvoiceAddress, InvoiceStatus, StoredInvoiceItem } from './invoice.entity';

export interface DocumentLine {
  name: string;
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  /** "Discount -$5.00 · Freight $2.00 · Tax $1.00": what is inside the line's amount. */
  detail: string;
}

/** A payment as the documents list it. */
export interface DocumentPayment {
  date: string;
  method: string;
  account: string;
  amount: string;
  /** The card fee and service fee paid on top, formatted; '' when none. */
  fees: string;
  reference: string;
}

/** The merchant as the documents need it. */
export interface DocumentMerchant {
  name: string;
  timezone: string;
  locale: string;
}

export interface InvoiceDocument {
  id: string;
  /** The invoice number, or the id when it has none. */
  number: string;
  companyName: string;
  logoUrl: string;
  currency: string;
  /** BCP 47 locale amounts and dates are written in (the words stay English for now). */
  locale: string;
  payableTo: string[];
  billTo: string[];
  billToName: string;
  lines: DocumentLine[];
  subtotal: string;
  /** The item discounts, already taken off the item amounts and so off the subtotal. */
  discounts: string;
  showDiscounts: boolean;
  tax: string;
  showTax: boolean;
  shipping: string;
  showShipping: boolean;
  adjustment: string;
  showAdjustment: boolean;
  total: string;
  /**
   * Credits that reduce what is due without being a payment (the invoice's
   * `discount_credited`; customer credit balances will add to it).
   */
  credits: string;
  showCredits: boolean;
  amountPaid: string;
  showAmountPaid: boolean;
  /** Card surcharges and service fees paid on top of the invoice amount. */
  feesPaid: string;
  showFeesPaid: boolean;
  amountDue: string;
  payments: DocumentPayment[];
  paidDate: string;
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

/** "May 1, 2024" (en-US), "1. Mai 2024" (de-DE), "2024年5月1日" (ja-JP), in the time zone. */
export function formatDate(date: Date, timeZone: string, locale: string = DEFAULT_LOCALE): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  }
}

/** The locale an invoice is written in: its own, else its merchant's, else en-US. */
export function localeOf(invoice: Invoice, merchant: { locale?: string | null }): string {
  return invoice.locale ?? merchant.locale ?? DEFAULT_LOCALE;
}

/** How the invoice's amounts read: its currency, in its locale. */
export function invoiceMoney(invoice: Invoice, merchant: { locale?: string | null }): MoneyFormat {
  return moneyFormat(invoice.currency, localeOf(invoice, merchant));
}

const METHOD_LABELS: Record<string, string> = {
  card: 'Card',
  ach: 'Bank account',
  mail: 'Cheque by mail',
  cash: 'Cash',
  bank_transfer: 'Bank transfer',
  other: 'Other',
};

export function paymentMethodLabel(method: string): string {
  return METHOD_LABELS[method] ?? method;
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

export interface DocumentContext {
  merchant: DocumentMerchant;
  now: Date;
  hostedUrl: string;
  /** The approved payments, oldest first, when the document lists them (the PDF). */
  payments?: readonly InvoicePayment[];
}

export function invoiceDocument(invoice: Invoice, context: DocumentContext): InvoiceDocument {
  const { merchant } = context;
  const locale = localeOf(invoice, merchant);
  const format = moneyFormat(invoice.currency, locale);
  const money = (cents: number) => format.money(cents);
  const date = (d: Date) => formatDate(d, merchant.timezone, locale);
  const status = effectiveStatus(invoice, context.now);
  // Sums of integer minor units already computed by the calculation core: exact.
  const discounts = invoice.items.reduce((sum, i) => sum + i.computed.discount_amount, 0);
  const feesPaid = invoice.surchargePaid + invoice.serviceFeesPaid;
  const billToName =
    [invoice.billTo.first_name, invoice.billTo.last_name].filter((s) => s !== '').join(' ') ||
    invoice.billTo.company;
  return {
    id: invoice.id,
    number: invoiceNumberOf(invoice),
    companyName: companyNameOf(invoice, merchant.name),
    logoUrl: invoice.companyLogoUrl,
    currency: invoice.currency,
    locale,
    payableTo: addressLines(invoice.payableTo),
    billTo: addressLines(invoice.billTo),
    billToName,
    lines: invoice.items.map((i) => ({
      name: i.name || i.type || 'Item',
      description: i.description,
      quantity: String(i.quantity),
      unitPrice: money(i.unit_price),
      amount: money(i.computed.amount),
      detail: lineDetail(i.computed, money),
    })),
    subtotal: money(invoice.subtotal),
    discounts: money(-discounts),
    showDiscounts: discounts !== 0,
    tax: money(invoice.tax),
    showTax: invoice.tax !== 0,
    shipping: money(invoice.shipping),
    showShipping: invoice.shipping !== 0,
    adjustment: money(invoice.adjustment),
    showAdjustment: invoice.adjustment !== 0,
    total: money(invoice.total),
    credits: money(-invoice.discountCredited),
    showCredits: invoice.discountCredited !== 0,
    amountPaid: money(invoice.amountPaid),
    showAmountPaid: invoice.amountPaid !== 0,
    feesPaid: money(feesPaid),
    showFeesPaid: feesPaid !== 0,
    amountDue: money(invoice.amountDue),
    payments: (context.payments ?? []).map((p) => ({
      date: date(p.updatedAt),
      method: paymentMethodLabel(p.method),
      account: p.maskedAccount,
      amount: money(p.amount),
      fees: p.surcharge + p.serviceFee > 0 ? money(p.surcharge + p.serviceFee) : '',
      reference: p.transactionId ?? p.responseText,
    })),
    paidDate: invoice.paidAt === null ? '' : date(invoice.paidAt),
    issuedDate: date(invoice.createdAt),
    dueDate: date(invoice.dateDue),
    message: invoice.message,
    status,
    statusLabel: STATUS_LABELS[status],
    isPaid: status === 'paid',
    isOverdue: status === 'overdue',
    hostedUrl: context.hostedUrl,
  };
}

/** What is inside a line's amount besides price times quantity, in the reader's words. */
function lineDetail(computed: StoredInvoiceItem['computed'], money: (m: number) => string): string {
  const parts: string[] = [];
  if (computed.discount_amount !== 0) parts.push(`Discount ${money(-computed.discount_amount)}`);
  if (computed.freight_amount !== 0) parts.push(`Freight ${money(computed.freight_amount)}`);
  const tax = computed.tax_amount + computed.local_tax + computed.national_tax;
  if (tax !== 0) parts.push(`Tax ${money(tax)}`);
  return parts.join(' · ');
}
