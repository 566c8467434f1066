import { recurringChargeFields, startsRecurringSeries } from './cit-mit';
import { declineKindOf, responseClass } from './response-codes';

describe('CIT/MIT fields', () => {
  it('makes the first charge customer-initiated and storing', () => {
    const first = recurringChargeFields(null);
    expect(first).toEqual({
      card_on_file_indicator: 'R',
      initiated_by: 'customer',
      stored_credential_indicator: 'stored',
      billing_method: 'initial_recurring',
      initial_transaction_id: null,
    });
    expect(startsRecurringSeries(first)).toBe(true);
  });

  it('makes later charges merchant-initiated, naming the first transaction', () => {
    const later = recurringChargeFields('b7kgflt1tlv51er0fts0');
    expect(later).toEqual({
      card_on_file_indicator: 'R',
      initiated_by: 'merchant',
      stored_credential_indicator: 'used',
      billing_method: 'recurring',
      initial_transaction_id: 'b7kgflt1tlv51er0fts0',
    });
    expect(startsRecurringSeries(later)).toBe(false);
  });
});

describe('response codes', () => {
  it('classes codes by the spec’s ranges', () => {
    expect(responseClass(100)).toBe('approved');
    expect(responseClass(110)).toBe('partially_approved');
    expect(responseClass(202)).toBe('declined');
    expect(responseClass(300)).toBe('declined');
    expect(responseClass(421)).toBe('declined');
  });

  it('classifies soft and hard declines, unknown codes by range', () => {
    expect(declineKindOf(100)).toBeNull();
    expect(declineKindOf(202)).toBe('soft');
    expect(declineKindOf(252)).toBe('hard');
    expect(declineKindOf(299)).toBe('soft');
    expect(declineKindOf(399)).toBe('hard');
    expect(declineKindOf(499)).toBe('soft');
  });
});
