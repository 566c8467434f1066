import { CsvFileError, parseHeader, parseRow, rowFields, rowSummary } from './csv-row';

const NOW = new Date('2027-01-15T12:00:00Z');
const row = (f: Record<string, string>) => parseRow(f, 'filebatch:b:1', NOW);

describe('parseHeader', () => {
  it('takes the columns in any order, in any case, after a byte-order mark', () => {
    expect(parseHeader(['\uFEFFAmount', ' Transaction_Type ', 'cc_number'])).toEqual([
      'amount',
      'transaction_type',
      'cc_number',
    ]);
  });

  it.each([
    [['sale', '100', '4111111111111111'], /must be a header/],
    [['transaction_type', 'amount', 'colour'], /unknown column\(s\) in the header: colour/],
    [['transaction_type', 'amount', 'amount'], /amount appears twice/],
    [['transaction_type', 'cc_number'], /must include amount/],
  ])('refuses %j', (header, msg) => {
    expect(() => parseHeader(header)).toThrow(CsvFileError);
    expect(() => parseHeader(header)).toThrow(msg);
  });
});

describe('parseRow', () => {
  it('makes a sale on a card with the row’s own idempotency key and addresses', () => {
    const command = row({
      transaction_type: 'SALE',
      amount: '1500',
      cc_number: '4111111111111111',
      cc_expiration: '12/39',
      billing_first_name: 'Jane',
      billing_postal_code: '60187',
      order_id: 'A-1',
    });
    expect(command.kind).toBe('process');
    if (command.kind !== 'process') return;
    expect(command.request).toMatchObject({
      idempotencyKey: 'filebatch:b:1',
      type: 'sale',
      amount: 1500,
      orderId: 'A-1',
      paymentMethod: { kind: 'card', card: { number: '4111111111111111', expirationYear: 2039 } },
      billingAddress: { first_name: 'Jane', postal_code: '60187', country: 'US' },
      shippingAddress: null,
    });
  });

  it('makes ACH and vault-customer charges, and captures and refunds by transaction_id', () => {
    const ach = row({
      transaction_type: 'credit',
      amount: '800',
      ach_account_number: '123456789',
      ach_routing_number: '490000018',
      ach_account_type: 'Checking',
      ach_sec_code: 'PPD',
    });
    expect(ach).toMatchObject({
      request: { paymentMethod: { kind: 'ach', ach: { accountType: 'checking', secCode: 'ppd' } } },
    });
    expect(row({ transaction_type: 'sale', amount: '5', customer_id: 'cust1' })).toMatchObject({
      request: { paymentMethod: { kind: 'customer', customerId: 'cust1' } },
    });
    expect(row({ transaction_type: 'refund', amount: '', transaction_id: 'tx1' })).toEqual({
      kind: 'refund',
      transactionId: 'tx1',
      input: { amount: null, surcharge: null },
    });
    expect(
      row({ transaction_type: 'capture', amount: '300', transaction_id: 'tx2' }),
    ).toMatchObject({ kind: 'capture', transactionId: 'tx2', input: { amount: 300 } });
  });

  it.each([
    [{ transaction_type: '' }, /invalid transaction_type: is required/],
    [{ transaction_type: 'purchase', amount: '1' }, /invalid transaction_type: must be one of/],
    [
      { transaction_type: 'sale', amount: '', cc_number: '4111111111111111' },
      /invalid amount: is required/,
    ],
    [
      { transaction_type: 'sale', amount: '12.50', cc_number: '4111111111111111' },
      /invalid amount: must be a whole number/,
    ],
    [{ transaction_type: 'sale', amount: '100' }, /names no payment method/],
    [
      {
        transaction_type: 'sale',
        amount: '100',
        cc_number: '4111111111111121',
        cc_expiration: '12/39',
      },
      /invalid cc_number: .*Luhn/,
    ],
    [
      {
        transaction_type: 'sale',
        amount: '100',
        cc_number: '4111111111111111',
        cc_expiration: '01/20',
      },
      /invalid cc_expiration/,
    ],
    [
      {
        transaction_type: 'sale',
        amount: '100',
        cc_number: '4111111111111111',
        cc_expiration: '12/39',
        customer_id: 'c',
      },
      /only one of/,
    ],
    [
      { transaction_type: 'sale', amount: '100', customer_id: 'c', billing_country: 'USA' },
      /invalid billing_country/,
    ],
    [
      { transaction_type: 'refund', amount: '100' },
      /invalid transaction_id: is required for a refund/,
    ],
    [
      { transaction_type: 'sale', amount: '100', customer_id: 'c', tax_exempt: 'maybe' },
      /invalid tax_exempt/,
    ],
  ])('refuses %j naming the column', (fields, msg) => {
    expect(() => row(fields as Record<string, string>)).toThrow(msg);
  });

  it('never puts a card or account number in the error or the summary', () => {
    const fields = rowFields(
      ['transaction_type', 'amount', 'cc_number', 'ach_account_number'],
      ['sale', '100', '4111111111111121', '9876543210'],
    );
    try {
      row(fields);
    } catch (err) {
      expect((err as Error).message).not.toContain('4111111111111121');
    }
    const summary = rowSummary(fields);
    expect(summary.maskedCard).toBe('411111******1121');
    expect(JSON.stringify(summary)).not.toContain('9876543210');
  });
});
