import { createServer, Server } from 'node:net';
import { DataSource } from 'typeorm';
import { recurringChargeFields } from '../src/gateway/cit-mit';
import type { ChargeRequest, PaymentGateway } from '../src/gateway/gateway';
import { sealGatewayApiKey } from '../src/gateway/gateway-credentials';
import { GatewayFactory } from '../src/gateway/gateway.factory';
import { HttpGateway } from '../src/gateway/http/http.gateway';
import { SandboxOptions } from '../src/gateway/sandbox/sandbox-options';
import { RecurringChargesService } from '../src/gateway/stored-credentials/recurring-charges.service';
import { FieldCipher } from '../src/platform/crypto/field-cipher';
import { Processor } from '../src/processors/processor.entity';
import { ProcessorsService } from '../src/processors/processors.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const VISA = '4111111111111111';

let counter = 0;
const key = (label: string) => `gw-${label}-${Date.now().toString(36)}-${++counter}`;
const orderId = () => `o${Date.now().toString(36)}${++counter}`.slice(0, 17);

function cardSale(
  amount: number,
  number = VISA,
  extra: Partial<ChargeRequest> = {},
): ChargeRequest {
  return {
    idempotencyKey: key('sale'),
    amount,
    orderId: orderId(),
    source: { kind: 'card', number, expirationDate: '12/39', cvc: '999' },
    ...extra,
  };
}

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that reads a request and hangs up without answering: the request was sent. */
async function hangingUpServer(): Promise<{
  server: Server;
  port: number;
  requests: () => number;
}> {
  let requests = 0;
  const server = createServer((socket) => {
    socket.once('data', () => {
      requests++;
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, requests: () => requests };
}

describe('PaymentGateway: the sandbox in-process and the HTTP adapter over real HTTP', () => {
  let t: TestApp;
  let factory: GatewayFactory;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    factory = t.app.get(GatewayFactory);
    db = t.app.get(DataSource);
    t.app.get(SandboxOptions).lateResponseMs = 50;
  });
  afterAll(async () => t.close());

  async function sandboxGateway(m: TestMerchant): Promise<PaymentGateway> {
    return factory.forProcessor(await t.app.get(ProcessorsService).resolve(m.id));
  }

  async function transactionsFor(merchantId: string, idempotencyKey: string) {
    return db.query(
      `SELECT id, status FROM gateway_transactions WHERE merchant_id = $1 AND idempotency_key = $2`,
      [merchantId, idempotencyKey],
    );
  }

  describe('sandbox, in-process', () => {
    let m: TestMerchant;
    let gateway: PaymentGateway;
    beforeAll(async () => {
      m = await createMerchant(t.baseUrl);
      gateway = await sandboxGateway(m);
    });

    it('is the sandbox for a sandbox processor', () => {
      expect(gateway.kind).toBe('sandbox');
    });

    it('approves, declines soft and hard, and partially approves', async () => {
      const approved = await gateway.sale(cardSale(1000));
      expect(approved).toMatchObject({
        kind: 'approved',
        responseCode: 100,
        amountApproved: 1000,
        status: 'pending_settlement',
        declineKind: null,
      });
      expect(approved.transactionId).toMatch(/^[0-9a-v]{20}$/);
      const soft = await gateway.sale(cardSale(1000, '4000000000000002'));
      expect(soft).toMatchObject({
        kind: 'declined',
        responseCode: 202,
        declineKind: 'soft',
        amountApproved: 0,
        message: 'Insufficient funds',
      });
      const hard = await gateway.sale(cardSale(1000, '4000000000000036'));
      expect(hard).toMatchObject({ kind: 'declined', responseCode: 252, declineKind: 'hard' });
      const partial = await gateway.sale(
        cardSale(1000, '4000000000000077', { allowPartialPayment: true }),
      );
      expect(partial).toMatchObject({
        kind: 'partially_approved',
        responseCode: 110,
        amountApproved: 500,
      });
    });

    it('answers a timeout card as unknown, and finds the recorded charge by its key', async () => {
      const request = cardSale(2500, '4000000000000119');
      const outcome = await gateway.sale(request);
      expect(outcome).toMatchObject({
        kind: 'unknown',
        transactionId: null,
        unknownReason: 'timeout',
      });
      const found = await gateway.findAttempt({
        idempotencyKey: request.idempotencyKey,
        orderId: request.orderId,
        amount: 2500,
        since: new Date(),
      });
      expect(found).toMatchObject({
        kind: 'found',
        outcome: { kind: 'approved', amountApproved: 2500 },
      });
      expect(await transactionsFor(m.id, request.idempotencyKey)).toHaveLength(1);
      expect(
        await gateway.findAttempt({ idempotencyKey: key('never'), amount: 1, since: new Date() }),
      ).toEqual({ kind: 'not_found' });
    });

    it('refuses follow-ups the way the API does, naming the reason', async () => {
      const auth = await gateway.authorize(cardSale(3000));
      const above = await gateway.capture(auth.transactionId!, 3001);
      expect(above).toEqual({
        kind: 'refused',
        httpStatus: 400,
        message: 'invalid amount: must not exceed the authorized amount (3000)',
      });
      const captured = await gateway.capture(auth.transactionId!, 3000);
      expect(captured).toMatchObject({
        kind: 'done',
        transaction: { status: 'pending_settlement', amountCaptured: 3000 },
      });
      await m.api.post('/api/sandbox/settle');
      expect(await gateway.void(auth.transactionId!)).toMatchObject({
        kind: 'refused',
        httpStatus: 409,
      });
      expect(await gateway.refund(auth.transactionId!, 5000)).toMatchObject({
        kind: 'refused',
        httpStatus: 400,
      });
      expect(await gateway.refund(auth.transactionId!, 1000)).toMatchObject({
        kind: 'done',
        transaction: { type: 'refund', amount: 1000 },
      });
      expect(await gateway.getTransaction(auth.transactionId!)).toMatchObject({
        status: 'settled',
        amountRefunded: 1000,
      });
      expect(await gateway.getTransaction('nosuchtransaction')).toBeNull();
    });

    it('answers a request the sandbox refuses as a hard decline that names the reason', async () => {
      const outcome = await gateway.sale({
        idempotencyKey: key('ghost'),
        amount: 100,
        source: { kind: 'customer', customerId: 'ghost' },
      });
      expect(outcome).toMatchObject({
        kind: 'declined',
        responseCode: 300,
        declineKind: 'hard',
        transactionId: null,
      });
      expect(outcome.message).toBe(
        'invalid payment_method.customer.id: is not a customer in the vault',
      );
    });
  });

  describe('CIT/MIT bookkeeping (RecurringChargesService)', () => {
    let m: TestMerchant;
    let gateway: PaymentGateway;
    let recurring: RecurringChargesService;
    beforeAll(async () => {
      m = await createMerchant(t.baseUrl);
      gateway = await sandboxGateway(m);
      recurring = t.app.get(RecurringChargesService);
    });

    async function vaultedCustomer(number = VISA) {
      const res = await m.api.post('/api/vault/customer', {
        default_payment: { card: { number, expiration_date: '12/39' } },
      });
      const data = res.body.data;
      return {
        customerId: data.id as string,
        paymentMethodId: data.data.customer.defaults.payment_method_id as string,
      };
    }

    it('sends the first charge as customer-initiated and every later one as merchant-initiated', async () => {
      const { customerId, paymentMethodId } = await vaultedCustomer();
      const input = { merchantId: m.id, customerId, paymentMethodId, amount: 1999 };
      const first = await recurring.charge(gateway, { ...input, idempotencyKey: key('first') });
      expect(first.storedCredential).toEqual({
        card_on_file_indicator: 'R',
        initiated_by: 'customer',
        stored_credential_indicator: 'stored',
        billing_method: 'initial_recurring',
        initial_transaction_id: null,
      });
      expect(first.outcome.kind).toBe('approved');
      const firstTx = (await m.api.get(`/api/transaction/${first.outcome.transactionId}`)).body
        .data[0];
      expect(firstTx).toMatchObject({
        card_on_file_indicator: 'R',
        initiated_by: 'customer',
        stored_credential_indicator: 'stored',
        billing_method: 'initial_recurring',
        initial_transaction_id: '',
      });

      for (const n of [2, 3]) {
        const renewal = await recurring.charge(gateway, {
          ...input,
          idempotencyKey: key(`renewal${n}`),
        });
        expect(renewal.storedCredential).toEqual({
          card_on_file_indicator: 'R',
          initiated_by: 'merchant',
          stored_credential_indicator: 'used',
          billing_method: 'recurring',
          initial_transaction_id: first.outcome.transactionId,
        });
        const tx = (await m.api.get(`/api/transaction/${renewal.outcome.transactionId}`)).body
          .data[0];
        expect(tx).toMatchObject({
          card_on_file_indicator: 'R',
          initiated_by: 'merchant',
          stored_credential_indicator: 'used',
          billing_method: 'recurring',
          initial_transaction_id: first.outcome.transactionId,
        });
      }
    });

    it('keeps the series per payment method, and starts it only on an approval', async () => {
      const { customerId, paymentMethodId } = await vaultedCustomer('4000000000000002');
      const declined = await recurring.charge(gateway, {
        merchantId: m.id,
        customerId,
        paymentMethodId,
        amount: 500,
        idempotencyKey: key('nsf'),
      });
      expect(declined.outcome.kind).toBe('declined');
      const again = await recurring.storedCredentialFor(
        m.id,
        gateway.processorId,
        customerId,
        paymentMethodId,
      );
      expect(again.initiated_by).toBe('customer');
      // A second card of the same customer starts its own series.
      const second = await m.api.post(`/api/vault/customer/${customerId}/card`, {
        number: VISA,
        expiration_date: '10/38',
      });
      const cardId = second.body.data.data.customer.payments.cards.find(
        (c: { masked_number: string }) => c.masked_number.endsWith('1111'),
      ).id;
      const fields = await recurring.storedCredentialFor(
        m.id,
        gateway.processorId,
        customerId,
        cardId,
      );
      expect(fields).toEqual(recurringChargeFields(null));
    });

    it('starts the series with a verification (a trial signup), so the first charge is merchant-initiated', async () => {
      const { customerId, paymentMethodId } = await vaultedCustomer();
      const verified = await recurring.verify(gateway, {
        merchantId: m.id,
        customerId,
        paymentMethodId,
        idempotencyKey: key('verify'),
      });
      expect(verified.outcome).toMatchObject({ kind: 'approved', amountApproved: 0 });
      const charge = await recurring.charge(gateway, {
        merchantId: m.id,
        customerId,
        paymentMethodId,
        amount: 900,
        idempotencyKey: key('after-trial'),
      });
      expect(charge.storedCredential).toMatchObject({
        initiated_by: 'merchant',
        initial_transaction_id: verified.outcome.transactionId,
      });
    });

    it('resolves an unknown first charge by searching, and records the series without charging again', async () => {
      const { customerId, paymentMethodId } = await vaultedCustomer();
      const input = {
        merchantId: m.id,
        customerId,
        paymentMethodId,
        amount: 199900,
        idempotencyKey: key('late'),
        orderId: orderId(),
      };
      const fields = await recurring.storedCredentialFor(
        m.id,
        gateway.processorId,
        customerId,
        paymentMethodId,
      );
      const started = new Date();
      const result = await recurring.charge(gateway, input, fields);
      expect(result.outcome.kind).toBe('unknown');
      const resolved = await recurring.resolve(gateway, input, fields, started);
      expect(resolved).toMatchObject({
        kind: 'found',
        outcome: { kind: 'approved', amountApproved: 199900 },
      });
      expect(await transactionsFor(m.id, input.idempotencyKey)).toHaveLength(1);
      const next = await recurring.storedCredentialFor(
        m.id,
        gateway.processorId,
        customerId,
        paymentMethodId,
      );
      expect(next.initial_transaction_id).toBe(
        resolved.kind === 'found' ? resolved.outcome.transactionId : 'x',
      );
    });
  });

  describe('HTTP adapter against Rebill’s sandbox on a local port', () => {
    let sandboxMerchant: TestMerchant;
    let engineMerchant: TestMerchant;
    let processor: Processor;
    let gateway: PaymentGateway;

    beforeAll(async () => {
      sandboxMerchant = await createMerchant(t.baseUrl);
      engineMerchant = await createMerchant(t.baseUrl);
      const created = await engineMerchant.api.post('/api/processor', {
        name: 'Remote gateway',
        gateway: { kind: 'http', base_url: `${t.baseUrl}/` },
      });
      expect(created.status).toBe(200);
      const sealed = sealGatewayApiKey(
        t.app.get(FieldCipher),
        engineMerchant.id,
        sandboxMerchant.privateKey,
      );
      await db.query(`UPDATE processors SET gateway_api_key_encrypted = $1 WHERE id = $2`, [
        sealed,
        created.body.data.id,
      ]);
      processor = (await db.getRepository(Processor).findOneBy({ id: created.body.data.id }))!;
      expect(JSON.stringify(processor)).not.toContain(sandboxMerchant.privateKey);
      gateway = factory.forProcessor(processor, { timeoutMs: 2000, retryDelayMs: 10 });
    });

    it('is the HTTP adapter for an http processor', () => {
      expect(gateway.kind).toBe('http');
      expect(gateway).toBeInstanceOf(HttpGateway);
    });

    it('charges a card with the spec’s body, the sandbox recording every field', async () => {
      const request = cardSale(4200, VISA, {
        description: 'over http',
        taxAmount: 100,
        storedCredential: recurringChargeFields(null),
      });
      const outcome = await gateway.sale(request);
      expect(outcome).toMatchObject({
        kind: 'approved',
        responseCode: 100,
        amountApproved: 4200,
        avsResponseCode: '0',
        cvvResponseCode: 'M',
      });
      const seen = (await sandboxMerchant.api.get(`/api/transaction/${outcome.transactionId}`)).body
        .data[0];
      expect(seen).toMatchObject({
        type: 'sale',
        amount: 4200,
        tax_amount: 100,
        description: 'over http',
        order_id: request.orderId,
        idempotency_key: request.idempotencyKey,
        card_on_file_indicator: 'R',
        initiated_by: 'customer',
        stored_credential_indicator: 'stored',
        billing_method: 'initial_recurring',
      });
      // The engine's own merchant has no such transaction: the charge happened at the gateway.
      expect(
        (await engineMerchant.api.get(`/api/transaction/${outcome.transactionId}`)).status,
      ).toBe(404);
    });

    it('reads declines with their soft or hard kind', async () => {
      expect(await gateway.sale(cardSale(1000, '4000000000000002'))).toMatchObject({
        kind: 'declined',
        responseCode: 202,
        declineKind: 'soft',
      });
      expect(await gateway.sale(cardSale(1000, '4000000000000069'))).toMatchObject({
        kind: 'declined',
        responseCode: 261,
        declineKind: 'hard',
      });
      expect(await gateway.sale(cardSale(1000, '4000000000000093'))).toMatchObject({
        kind: 'declined',
        responseCode: 400,
        declineKind: 'soft',
      });
    });

    it('vaults a customer at the gateway and charges it merchant-initiated', async () => {
      const created = await gateway.createCustomer({
        description: 'remote customer',
        payment: { kind: 'card', number: '5555555555554444', expirationDate: '12/39' },
        billingAddress: { first_name: 'Remote', postal_code: '60187' },
      });
      expect(created.kind).toBe('done');
      const customer = created.kind === 'done' ? created.value : null;
      expect(customer?.paymentMethods).toEqual([
        {
          id: customer?.defaultPaymentMethodId,
          type: 'card',
          masked: '555555******4444',
          cardType: 'mastercard',
        },
      ]);
      expect(await gateway.getCustomer(customer!.id)).toEqual(customer);
      expect(await gateway.getCustomer('nosuchcustomer')).toBeNull();

      const recurring = t.app.get(RecurringChargesService);
      const input = {
        merchantId: engineMerchant.id,
        customerId: customer!.id,
        paymentMethodId: customer!.defaultPaymentMethodId!,
        amount: 1500,
      };
      const first = await recurring.charge(gateway, {
        ...input,
        idempotencyKey: key('remote-first'),
      });
      const second = await recurring.charge(gateway, {
        ...input,
        idempotencyKey: key('remote-second'),
      });
      expect(second.storedCredential).toMatchObject({
        initiated_by: 'merchant',
        initial_transaction_id: first.outcome.transactionId,
      });
      const seen = (
        await sandboxMerchant.api.get(`/api/transaction/${second.outcome.transactionId}`)
      ).body.data[0];
      expect(seen).toMatchObject({
        payment_method: 'customer',
        initiated_by: 'merchant',
        initial_transaction_id: first.outcome.transactionId,
      });
    });

    it('captures, voids and refunds, and reads the gateway’s refusals', async () => {
      const auth = await gateway.authorize(cardSale(6000));
      expect(auth).toMatchObject({ kind: 'approved', status: 'authorized' });
      const above = await gateway.capture(auth.transactionId!, 6001);
      expect(above).toEqual({
        kind: 'refused',
        httpStatus: 400,
        message: 'invalid amount: must not exceed the authorized amount (6000)',
      });
      expect(await gateway.capture(auth.transactionId!)).toMatchObject({
        kind: 'done',
        transaction: { status: 'pending_settlement', amountCaptured: 6000 },
      });
      const pendingRefund = await gateway.refund(auth.transactionId!, 100);
      expect(pendingRefund).toMatchObject({
        kind: 'refused',
        httpStatus: 409,
        message: expect.stringMatching(/void it instead/),
      });
      await sandboxMerchant.api.post('/api/sandbox/settle');
      const lateVoid = await gateway.void(auth.transactionId!);
      expect(lateVoid).toMatchObject({
        kind: 'refused',
        httpStatus: 409,
        message: expect.stringMatching(/refund it instead/),
      });
      expect(await gateway.refund(auth.transactionId!, 6001)).toMatchObject({
        kind: 'refused',
        httpStatus: 400,
      });
      expect(await gateway.refund(auth.transactionId!, 2000)).toMatchObject({
        kind: 'done',
        transaction: { type: 'refund', amount: 2000 },
      });
      expect(await gateway.getTransaction(auth.transactionId!)).toMatchObject({
        status: 'settled',
        amountSettled: 6000,
        amountRefunded: 2000,
      });

      const sale = await gateway.sale(cardSale(700));
      expect(await gateway.void(sale.transactionId!)).toEqual({ kind: 'done', transaction: null });
      expect(await gateway.getTransaction(sale.transactionId!)).toMatchObject({ status: 'voided' });
      expect(await gateway.getTransaction('nosuchtransaction')).toBeNull();
    });

    it('leaves a timed-out charge unknown, then resolves it by search without a second charge', async () => {
      t.app.get(SandboxOptions).lateResponseMs = 1200;
      const impatient = factory.forProcessor(processor, { timeoutMs: 300, retryDelayMs: 10 });
      const request = cardSale(3300, '4000000000000119');
      const started = new Date();
      const outcome = await impatient.sale(request);
      expect(outcome).toMatchObject({
        kind: 'unknown',
        unknownReason: 'timeout',
        transactionId: null,
        amountApproved: 0,
      });
      // The gateway recorded it before answering; the adapter did not send it again.
      const recorded = await transactionsFor(sandboxMerchant.id, request.idempotencyKey);
      expect(recorded).toHaveLength(1);

      const found = await impatient.findAttempt({
        idempotencyKey: request.idempotencyKey,
        orderId: request.orderId,
        amount: 3300,
        since: started,
      });
      expect(found).toMatchObject({
        kind: 'found',
        outcome: { kind: 'approved', transactionId: recorded[0].id, amountApproved: 3300 },
      });
      // By amount when there is no order id, too.
      const byAmount = await impatient.findAttempt({
        idempotencyKey: request.idempotencyKey,
        amount: 3300,
        since: started,
      });
      expect(byAmount).toMatchObject({ kind: 'found', outcome: { transactionId: recorded[0].id } });
      expect(
        await impatient.findAttempt({
          idempotencyKey: key('never-sent'),
          orderId: orderId(),
          amount: 3300,
          since: started,
        }),
      ).toEqual({ kind: 'not_found' });
      t.app.get(SandboxOptions).lateResponseMs = 50;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // let the held-back answer finish
      expect(await transactionsFor(sandboxMerchant.id, request.idempotencyKey)).toHaveLength(1);
    });

    it('answers a connection refused as a soft decline after retrying: nothing was sent', async () => {
      const port = await closedPort();
      const unreachable = new HttpGateway(processor.id, `http://127.0.0.1:${port}`, 'api_x', {
        timeoutMs: 500,
        retries: 2,
        retryDelayMs: 5,
      });
      const outcome = await unreachable.sale(cardSale(100));
      expect(outcome).toMatchObject({ kind: 'declined', responseCode: 420, declineKind: 'soft' });
      expect(outcome.message).toMatch(
        /could not reach the gateway \(ECONNREFUSED\); nothing was charged/,
      );
    });

    it('leaves a charge unknown when the connection drops after sending, and does not resend it', async () => {
      const hangUp = await hangingUpServer();
      try {
        const flaky = new HttpGateway(processor.id, `http://127.0.0.1:${hangUp.port}`, 'api_x', {
          timeoutMs: 1000,
          retries: 3,
          retryDelayMs: 5,
        });
        const outcome = await flaky.sale(cardSale(100));
        expect(outcome.kind).toBe('unknown');
        expect(outcome.unknownReason).toMatch(/^connection_lost/);
        expect(hangUp.requests()).toBe(1);
        // A read may be retried: it changes nothing.
        await expect(flaky.getTransaction('x')).rejects.toThrow(/could not be asked/);
        expect(hangUp.requests()).toBe(1 + 4);
      } finally {
        await new Promise((resolve) => hangUp.server.close(resolve));
      }
    });

    it('declines with a configuration message when the API key is wrong', async () => {
      const wrongKey = new HttpGateway(processor.id, t.baseUrl, 'api_wrongwrongwrongwrong', {
        timeoutMs: 2000,
      });
      const outcome = await wrongKey.sale(cardSale(100));
      expect(outcome).toMatchObject({ kind: 'declined', responseCode: 410, declineKind: 'soft' });
      expect(outcome.message).toMatch(/API key does not exist/);
    });

    it('keeps merchants apart over HTTP too', async () => {
      const other = await createMerchant(t.baseUrl);
      const theirs = await other.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: { card: { number: VISA, expiration_date: '12/39' } },
      });
      expect(await gateway.getTransaction(theirs.body.data.id)).toBeNull();
      expect(await gateway.capture(theirs.body.data.id)).toMatchObject({
        kind: 'refused',
        httpStatus: 404,
      });
    });
  });
});
