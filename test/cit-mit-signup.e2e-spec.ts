import { DataSource } from 'typeorm';
import { RecurringChargesService } from '../src/gateway/stored-credentials/recurring-charges.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * The customer-initiated start of a stored-credential series happens at signup, when the
 * customer is present (docs/cit-mit.md): a subscription created on a payment method with no
 * series gets a zero-amount customer-initiated verification; a declined verification refuses
 * the subscription with the gateway's message. The billing run's charges are then
 * merchant-initiated.
 */
describe('CIT/MIT at signup', () => {
  let t: TestApp;
  let m: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    m = await createMerchant(t.baseUrl, 'America/Chicago');
  });
  afterAll(async () => t.close());

  async function vaulted(card: string): Promise<{ customerId: string; cardId: string }> {
    const res = await m.api.post('/api/vault/customer', {
      default_payment: { card: { number: card, expiration_date: '12/39' } },
    });
    expect(res.status).toBe(200);
    return {
      customerId: res.body.data.id,
      cardId: res.body.data.data.customer.payments.cards[0].id,
    };
  }

  const subscribe = (customerId: string) =>
    m.api.post('/api/recurring/subscription', {
      customer: { id: customerId },
      amount: 1500,
      billing_frequency: 'monthly',
      billing_cycle_interval: 1,
      billing_days: '1',
      duration: 0,
    });

  async function transactionsOf(customerId: string): Promise<any[]> {
    const rows: { id: string }[] = await t.app
      .get(DataSource)
      .query(
        `SELECT id FROM gateway_transactions WHERE merchant_id = $1 AND customer_id = $2 ORDER BY created_at`,
        [m.id, customerId],
      );
    const out = [];
    for (const r of rows) out.push((await m.api.get(`/api/transaction/${r.id}`)).body.data[0]);
    return out;
  }

  async function nextCharge(customerId: string, cardId: string) {
    const processor = (await m.api.get('/api/processors')).body.data.find(
      (p: { is_default: boolean }) => p.is_default,
    );
    return t.app
      .get(RecurringChargesService)
      .storedCredentialFor(m.id, processor.id, customerId, cardId);
  }

  it('verifies a card with no series at signup, customer-initiated, and the next charge is merchant-initiated', async () => {
    const { customerId, cardId } = await vaulted('4111111111111111');
    expect(await nextCharge(customerId, cardId)).toMatchObject({ initiated_by: 'customer' });
    const res = await subscribe(customerId);
    expect(res.status).toBe(200);
    const txs = await transactionsOf(customerId);
    expect(txs).toHaveLength(1);
    expect(txs[0]).toMatchObject({
      type: 'verification',
      amount: 0,
      initiated_by: 'customer',
      stored_credential_indicator: 'stored',
      billing_method: 'initial_recurring',
      card_on_file_indicator: 'R',
    });
    expect(await nextCharge(customerId, cardId)).toEqual({
      card_on_file_indicator: 'R',
      initiated_by: 'merchant',
      stored_credential_indicator: 'used',
      billing_method: 'recurring',
      initial_transaction_id: txs[0].id,
    });
    // A second subscription on the same card: the series exists, nothing is verified again.
    expect((await subscribe(customerId)).status).toBe(200);
    expect(await transactionsOf(customerId)).toHaveLength(1);
  });

  it.each([
    ['4000000000000028', /Lost card/],
    ['4000000000000036', /Stolen card/],
    ['4000000000000044', /Expired card/],
  ])(
    'refuses the subscription when the verification of %s is declined, with the gateway message',
    async (card, message) => {
      const { customerId } = await vaulted(card);
      const before = (await m.api.get('/api/recurring/subscriptions')).body.total_count;
      const res = await subscribe(customerId);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ status: 'failed', msg: expect.stringMatching(message) });
      expect((await m.api.get('/api/recurring/subscriptions')).body.total_count).toBe(before);
    },
  );

  it('an insufficient-funds card verifies (the subscription starts) and its charges still decline', async () => {
    const { customerId } = await vaulted('4000000000000002');
    expect((await subscribe(customerId)).status).toBe(200);
    const [verification] = await transactionsOf(customerId);
    expect(verification).toMatchObject({ type: 'verification', status: expect.any(String) });
    expect(verification.response?.card?.status ?? verification.status).not.toBe('declined');
    const sale = await m.api.post('/api/transaction', {
      type: 'sale',
      amount: 1000,
      payment_method: { customer: { id: customerId } },
    });
    expect(sale.body.data.response_code ?? sale.body.data.response?.response_code).toBe(202);
  });
});
