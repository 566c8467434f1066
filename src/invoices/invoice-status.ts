/**
 * Invoice statuses and the rules that move between them (docs/invoices.md).
 *
 *   pending         nothing paid yet, not past due
 *   partially_paid  something paid, something still due, not past due
 *   overdue         something still due after date_due (derived from the clock, not stored)
 *   paid            nothing due: paid through the hosted page, marked as paid, or a 0 total
 *   cancelled       voided, or deleted (a deleted invoice is gone from the API and its page)
 */
import { InvoiceStatus, StoredInvoiceStatus } from './invoice.entity';

/** The stored status after a change of the amounts. */
export function settledStatus(amounts: {
  amountPaid: number;
  amountDue: number;
}): StoredInvoiceStatus {
  if (amounts.amountDue === 0) return 'paid';
  return amounts.amountPaid > 0 ? 'partially_paid' : 'pending';
}

/**
 * What the API and the page show: an open invoice is overdue once its due day has ended in
 * the merchant's time zone (`overdueAt`, the next local midnight): "Due December 15" is on
 * time all of December 15, wherever the merchant is.
 */
export function effectiveStatus(
  invoice: { status: StoredInvoiceStatus; overdueAt: Date },
  now: Date,
): InvoiceStatus {
  const open = invoice.status === 'pending' || invoice.status === 'partially_paid';
  return open && now.getTime() >= invoice.overdueAt.getTime() ? 'overdue' : invoice.status;
}

export function isOpen(status: StoredInvoiceStatus): boolean {
  return status === 'pending' || status === 'partially_paid';
}

/** Why an invoice may not be edited, or null when it may. */
export function editRefusal(status: StoredInvoiceStatus): string | null {
  if (status === 'paid') return 'the invoice is paid and can no longer be edited';
  if (status === 'cancelled') return 'the invoice is cancelled and can no longer be edited';
  return null;
}

/**
 * Why an invoice may not be deleted, or null when it may. Money received must stay on
 * record, so an invoice with any payment is voided instead of deleted.
 */
export function deleteRefusal(status: StoredInvoiceStatus, amountPaid: number): string | null {
  if (status === 'paid') return 'the invoice is paid and cannot be deleted';
  if (amountPaid > 0) {
    return 'the invoice has payments recorded and cannot be deleted; void it instead (POST /api/invoice/{id}/void)';
  }
  return null;
}

/** Why an invoice may not take a payment, or null when it may. */
export function paymentRefusal(status: StoredInvoiceStatus): string | null {
  if (status === 'paid') return 'the invoice is already paid';
  if (status === 'cancelled') return 'the invoice is cancelled';
  return null;
}

/** Why an invoice may not be voided, or null when it may. */
export function voidRefusal(status: StoredInvoiceStatus): string | null {
  if (status === 'paid') return 'the invoice is paid and cannot be voided';
  if (status === 'cancelled') return 'the invoice is already cancelled';
  return null;
}
