import { HttpGateway } from './http.gateway';

type Call = { url: string; method: string; body: unknown };

/** A fetch that answers from a script and records what was sent. */
function scripted(answers: (() => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fake = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: String(init.method),
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  }) as unknown as typeof fetch;
  return { fake, calls };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refused = () => () => {
  throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
};
const approved = {
  status: 'success',
  msg: 'success',
  data: {
    id: 'tx1',
    type: 'sale',
    amount: 1000,
    status: 'pending_settlement',
    response: {
      card: {
        status: 'approved',
        auth_code: 'ABC123',
        avs_response_code: 'Y',
        cvv_response_code: 'M',
      },
    },
  },
};

const request = {
  idempotencyKey: 'attempt-1',
  amount: 1000,
  orderId: 'order1',
  source: { kind: 'card' as const, number: '4111111111111111', expirationDate: '12/39' },
};

describe('HttpGateway', () => {
  it('reads a spec response without response_code from its status', async () => {
    const { fake, calls } = scripted([json(200, approved)]);
    const gateway = new HttpGateway('p1', 'https://gw.example', 'api_key', { fetch: fake });
    const outcome = await gateway.sale(request);
    expect(outcome).toMatchObject({
      kind: 'approved',
      transactionId: 'tx1',
      responseCode: 100,
      amountApproved: 1000,
      authCode: 'ABC123',
    });
    expect(calls[0]).toEqual({
      url: 'https://gw.example/api/transaction',
      method: 'POST',
      body: {
        idempotency_key: 'attempt-1',
        type: 'sale',
        amount: 1000,
        currency: 'USD',
        order_id: 'order1',
        payment_method: {
          card: { entry_type: 'keyed', number: '4111111111111111', expiration_date: '12/39' },
        },
      },
    });
  });

  it('retries a charge that was never sent, and one turned away with 429, with the same key', async () => {
    const { fake, calls } = scripted([
      refused(),
      json(429, { status: 'failed', msg: 'slow down' }),
      json(200, approved),
    ]);
    const gateway = new HttpGateway('p1', 'https://gw.example', 'api_key', {
      fetch: fake,
      retryDelayMs: 1,
    });
    expect((await gateway.sale(request)).kind).toBe('approved');
    expect(calls).toHaveLength(3);
    expect(
      new Set(calls.map((c) => (c.body as { idempotency_key: string }).idempotency_key)),
    ).toEqual(new Set(['attempt-1']));
  });

  it('does not retry a charge answered 5xx: its outcome is unknown', async () => {
    const { fake, calls } = scripted([json(502, { status: 'failed', msg: 'bad gateway' })]);
    const gateway = new HttpGateway('p1', 'https://gw.example', 'api_key', {
      fetch: fake,
      retryDelayMs: 1,
    });
    expect(await gateway.sale(request)).toMatchObject({
      kind: 'unknown',
      unknownReason: 'http_502',
    });
    expect(calls).toHaveLength(1);
  });

  it('matches an attempt at a gateway that does not echo keys by order id, amount and type', async () => {
    const row = { ...approved.data, order_id: 'order1' };
    const { fake, calls } = scripted([
      json(200, {
        status: 'success',
        msg: 'success',
        total_count: 2,
        data: [row, { ...row, id: 'tx2', amount: 999 }],
      }),
      json(200, {
        status: 'success',
        msg: 'success',
        total_count: 2,
        data: [row, { ...row, id: 'tx2' }],
      }),
    ]);
    const gateway = new HttpGateway('p1', 'https://gw.example', 'api_key', { fetch: fake });
    const since = new Date('2030-01-01T00:05:00Z');
    const found = await gateway.findAttempt({
      idempotencyKey: 'attempt-1',
      orderId: 'order1',
      amount: 1000,
      since,
    });
    expect(found).toMatchObject({ kind: 'found', outcome: { transactionId: 'tx1' } });
    expect(calls[0].body).toEqual({
      created_at: { start_date: '2030-01-01T00:00:00Z' },
      limit: 100,
      order_id: { operator: '=', value: 'order1' },
    });
    const ambiguous = await gateway.findAttempt({
      idempotencyKey: 'attempt-1',
      orderId: 'order1',
      amount: 1000,
      since,
    });
    expect(ambiguous).toMatchObject({
      kind: 'unresolved',
      reason: '2 transactions match the order id and amount',
    });
  });

  it('answers unresolved when the search itself fails', async () => {
    const { fake } = scripted([json(500, {}), json(500, {}), json(500, {})]);
    const gateway = new HttpGateway('p1', 'https://gw.example', 'api_key', {
      fetch: fake,
      retries: 2,
      retryDelayMs: 1,
    });
    expect(
      await gateway.findAttempt({ idempotencyKey: 'k', amount: 1, since: new Date() }),
    ).toEqual({
      kind: 'unresolved',
      reason: 'search failed: HTTP 500',
    });
  });
});

describe('HttpGateway under the outbound guard', () => {
  it('never sends a charge to an internal address and says nothing was charged', async () => {
    const { createServer } = await import('node:http');
    const { guardedFetch } = await import('../../platform/net/outbound-guard');
    let received = 0;
    const server = createServer((_req, res) => {
      received++;
      res.end(JSON.stringify(approved));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const gateway = new HttpGateway('p1', `http://127.0.0.1:${port}`, 'api_key', {
        fetch: guardedFetch(false),
        retries: 0,
      });
      const outcome = await gateway.sale(request);
      expect(outcome).toMatchObject({ kind: 'declined', amountApproved: 0 });
      expect(outcome.message).toMatch(/EADDRNOTPUBLIC.*nothing was charged/);
      expect(received).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the request transport the factory uses: refuses an internal address, sends to an allowed one, and a refused connection sent nothing', async () => {
    const { createServer } = await import('node:http');
    const { guardedRequest } = await import('../../platform/net/outbound-guard');
    const seen: { method?: string; auth?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        seen.push({ method: req.method, auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(approved));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const guarded = new HttpGateway('p1', `http://127.0.0.1:${port}`, 'api_key', {
        http: guardedRequest(false),
        retries: 0,
      });
      const refusedOutcome = await guarded.sale(request);
      expect(refusedOutcome).toMatchObject({ kind: 'declined', amountApproved: 0 });
      expect(refusedOutcome.message).toMatch(/EADDRNOTPUBLIC.*nothing was charged/);
      expect(seen).toHaveLength(0);

      const allowed = new HttpGateway('p1', `http://127.0.0.1:${port}`, 'api_key', {
        http: guardedRequest(true),
        retries: 0,
      });
      expect(await allowed.sale(request)).toMatchObject({ kind: 'approved', transactionId: 'tx1' });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ method: 'POST', auth: 'api_key' });
      expect(JSON.parse(seen[0].body)).toMatchObject({ type: 'sale', amount: 1000 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // The server is gone: the connection is refused, so nothing can have been charged.
    const closed = new HttpGateway('p1', `http://127.0.0.1:${port}`, 'api_key', {
      http: guardedRequest(true),
      retries: 0,
    });
    const outcome = await closed.sale(request);
    expect(outcome).toMatchObject({ kind: 'declined', amountApproved: 0 });
    expect(outcome.message).toMatch(/ECONNREFUSED.*nothing was charged/);
  });
});
