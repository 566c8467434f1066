import { checkAgainstContract } from './support/api-contract';
import { Api, createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/** The route declarations: validation, wording, the document, and the response check. */
describe('API contract', () => {
  let t: TestApp;
  let a: TestMerchant;
  let doc: any;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    doc = (await new Api(t.baseUrl).get('/docs-json')).body;
  });
  afterAll(async () => t.close());

  it('publishes OpenAPI 3.1 with security schemes, tags and the shared failure envelope', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'api_key',
      'bearer_jwt',
      'partner_key',
      'payments_api_key',
      'public_key',
    ]);
    expect(doc.components.securitySchemes.payments_api_key).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    expect(doc.tags.map((tag: { name: string }) => tag.name)).toContain('recurring');
    expect(doc.components.schemas.Failure.properties.status.const).toBe('failed');
  });

  it('documents a declared route: body, params, every response, examples and idempotency', () => {
    const create = doc.paths['/api/recurring/addon'].post;
    const body = create.requestBody.content['application/json'];
    expect(Object.keys(body.schema.properties).sort()).toEqual([
      'amount',
      'description',
      'duration',
      'name',
      'percentage',
    ]);
    expect(body.examples.spec.value).toMatchObject({ amount: 100 });
    expect(Object.keys(create.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '409',
      '422',
      '500',
    ]);
    expect(
      create.responses['200'].content['application/json'].schema.properties.data.required,
    ).toContain('percentage');
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('x-idempotency-key');
    const get = doc.paths['/api/recurring/addon/{id}'].get;
    expect(get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(Object.keys(get.responses)).toContain('404');
    expect(get.security).toEqual([{ api_key: [] }, { bearer_jwt: [] }]);
  });

  it('declares every route: a summary, tags the document lists, idempotency on every POST and PUT', () => {
    const tags = new Set(doc.tags.map((tag: { name: string }) => tag.name));
    const problems: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!('x-rebill-auth' in op)) problems.push(`${where}: not declared`);
        if (!op.summary) problems.push(`${where}: no summary`);
        for (const tag of op.tags ?? []) if (!tags.has(tag)) problems.push(`${where}: tag ${tag}`);
        const idempotent = (op.parameters ?? []).some(
          (p: { name: string }) => p.name === 'x-idempotency-key',
        );
        if ((method === 'post' || method === 'put') && !idempotent) {
          problems.push(`${where}: no x-idempotency-key`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(doc.paths['/health'].get.tags).toEqual(['system']);
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
  });

  it('documents the hosted invoice pages: HTML, the PDF, their statuses, no API key', () => {
    const page = doc.paths['/invoice/{token}'].get;
    expect(page.tags).toEqual(['hosted pages']);
    expect(page.security).toEqual([]);
    expect(Object.keys(page.responses['404'].content)).toEqual(['text/html']);
    const pay = doc.paths['/invoice/{token}/pay'].post;
    expect(Object.keys(pay.responses).sort()).toEqual(
      ['200', '202', '303', '400', '402', '404', '409', '422', '500'].sort(),
    );
    expect(pay.responses['303'].content).toBeUndefined();
    // A form re-rendered with its error is a page; an invalid path parameter is the envelope.
    expect(Object.keys(pay.responses['400'].content).sort()).toEqual([
      'application/json',
      'text/html',
    ]);
    const pdf = doc.paths['/invoice/{token}/pdf'].get;
    expect(Object.keys(pdf.responses['200'].content)).toEqual(['application/pdf']);
    expect(Object.keys(pdf.responses['404'].content)).toEqual(['text/html']);
    expect(doc.paths['/invoice/{token}/receipt/{paymentId}'].get.responses['200']).toBeDefined();
  });

  it('authenticates before it validates: a bad body without a key is a 401', async () => {
    const res = await new Api(t.baseUrl).post('/api/recurring/addon', { amount: 'x' });
    expect(res.status).toBe(401);
  });

  it('words schema errors in the envelope, naming the field as the API writes it', async () => {
    const cases: [unknown, string][] = [
      [{ amount: '100' }, 'amount must be an integer number of cents (100 = 1.00), got "100"'],
      [{ amount: 1e15 }, 'invalid amount: must be at most 999999999999 cents'],
      [{ name: 'x'.repeat(201), amount: 1 }, 'invalid name: must be at most 200 characters'],
      [[1, 2], 'body must be an object, got an array'],
    ];
    for (const [body, msg] of cases) {
      const res = await a.api.post('/api/recurring/addon', body);
      expect({ body, status: res.status, answer: res.body }).toEqual({
        body,
        status: 400,
        answer: { status: 'failed', msg },
      });
    }
    const page = await a.api.get('/api/recurring/addons?limit=abc');
    expect(page.body).toEqual({
      status: 'failed',
      msg: 'invalid limit: must be a whole number from 1 to 1000, got "abc"',
    });
  });

  it('changes nothing when validation fails', async () => {
    const before = (await a.api.get('/api/recurring/addons')).body.total_count;
    await a.api.post('/api/recurring/addon', { amount: -1 });
    expect((await a.api.get('/api/recurring/addons')).body.total_count).toBe(before);
  });

  describe('the response check every e2e suite runs', () => {
    const check = (
      status: number,
      body: unknown,
      path = '/api/recurring/addon/b94lh3vkq8e1k0c5pbe0',
    ) => checkAgainstContract(t.baseUrl, 'GET', path, status, 'application/json', body);
    const item = {
      id: 'b94lh3vkq8e1k0c5pbe0',
      name: '',
      description: '',
      amount: 1,
      percentage: null,
      duration: 0,
      created_at: '2027-01-01T00:00:00.000Z',
      updated_at: '2027-01-01T00:00:00.000Z',
    };

    it('accepts a documented answer', async () => {
      await expect(
        check(200, { status: 'success', msg: 'success', data: item }),
      ).resolves.toBeUndefined();
      await expect(
        check(404, { status: 'failed', msg: 'add-on x not found' }),
      ).resolves.toBeUndefined();
    });

    it('fails on an undocumented field, a wrong type, or an undocumented status', async () => {
      await expect(
        check(200, { status: 'success', msg: 'success', data: { ...item, secret: 1 } }),
      ).rejects.toThrow(/does not describe.*secret/);
      await expect(
        check(200, { status: 'success', msg: 'success', data: { ...item, amount: '1' } }),
      ).rejects.toThrow(/\/data\/amount must be integer/);
      await expect(check(409, { status: 'failed', msg: 'no' })).rejects.toThrow(
        /answered 409, which the document does not list/,
      );
      await expect(check(200, { status: 'success' }, '/api/no/such/route')).rejects.toThrow(
        /not in the OpenAPI document/,
      );
    });

    it('checks the pages too: their statuses and content types, a JSON body against its schema', async () => {
      const page = (status: number, contentType: string, path = '/invoice/sometoken') =>
        checkAgainstContract(t.baseUrl, 'GET', path, status, contentType, undefined);
      await expect(page(200, 'text/html; charset=utf-8')).resolves.toBeUndefined();
      await expect(page(404, 'text/html; charset=utf-8')).resolves.toBeUndefined();
      await expect(page(410, 'text/html; charset=utf-8')).rejects.toThrow(
        /answered 410, which the document does not list/,
      );
      await expect(page(200, 'application/pdf', '/invoice/sometoken/pdf')).resolves.toBeUndefined();
      await expect(page(200, 'text/html', '/invoice/sometoken/pdf')).rejects.toThrow(
        /with text\/html, which the document does not list/,
      );
      await expect(check(200, '<html></html>')).rejects.toThrow(/\(root\) must be object/);
      await expect(
        checkAgainstContract(t.baseUrl, 'GET', '/api/recurring/addons', 200, 'text/html', 'x'),
      ).rejects.toThrow(/with text\/html, which the document does not list/);
    });
  });
});
