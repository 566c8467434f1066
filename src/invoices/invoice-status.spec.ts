import {
  deleteRefusal,
  editRefusal,
  effectiveStatus,
  paymentRefusal,
  settledStatus,
  voidRefusal,
} from './invoice-status';

describe('invoice status rules', () => {
  it('is pending with nothing paid, partially paid with something paid, paid with nothing due', () => {
    expect(settledStatus({ amountPaid: 0, amountDue: 100 })).toBe('pending');
    expect(settledStatus({ amountPaid: 40, amountDue: 60 })).toBe('partially_paid');
    expect(settledStatus({ amountPaid: 100, amountDue: 0 })).toBe('paid');
  });

  it('counts an invoice with a zero total as paid', () => {
    expect(settledStatus({ amountPaid: 0, amountDue: 0 })).toBe('paid');
  });

  it('shows an open invoice as overdue once its due day has ended (overdueAt)', () => {
    const overdueAt = new Date('2024-05-02T05:00:00Z'); // due May 1 in America/Chicago
    expect(
      effectiveStatus({ status: 'pending', overdueAt }, new Date('2024-05-02T04:59:59Z')),
    ).toBe('pending');
    expect(
      effectiveStatus({ status: 'pending', overdueAt }, new Date('2024-05-02T05:00:00Z')),
    ).toBe('overdue');
    expect(
      effectiveStatus({ status: 'partially_paid', overdueAt }, new Date('2024-06-01T00:00:00Z')),
    ).toBe('overdue');
  });

  it('never shows a paid or cancelled invoice as overdue', () => {
    const overdueAt = new Date('2024-05-01T06:00:00Z');
    const later = new Date('2025-01-01T00:00:00Z');
    expect(effectiveStatus({ status: 'paid', overdueAt }, later)).toBe('paid');
    expect(effectiveStatus({ status: 'cancelled', overdueAt }, later)).toBe('cancelled');
  });

  it('refuses to edit or delete a paid invoice, saying why', () => {
    expect(editRefusal('paid')).toMatch(/paid/);
    expect(deleteRefusal('paid', 100)).toMatch(/paid/);
    expect(editRefusal('pending')).toBeNull();
    expect(editRefusal('partially_paid')).toBeNull();
  });

  it('keeps an invoice with payments: it can be voided but not deleted', () => {
    expect(deleteRefusal('partially_paid', 40)).toMatch(/void it instead/);
    expect(voidRefusal('partially_paid')).toBeNull();
    expect(deleteRefusal('pending', 0)).toBeNull();
  });

  it('takes payments only while open', () => {
    expect(paymentRefusal('pending')).toBeNull();
    expect(paymentRefusal('partially_paid')).toBeNull();
    expect(paymentRefusal('paid')).toMatch(/already paid/);
    expect(paymentRefusal('cancelled')).toMatch(/cancelled/);
  });
});
