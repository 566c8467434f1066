import { Agent, request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { Api, createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * The wire, byte for byte: what existing clients send, including the gateway API's JavaScript
 * SDK (node-fetch 1.x), which writes `{}` after the headers of a GET or DELETE without a
 * Content-Length. Raw sockets, so nothing in between tidies the bytes.
 */

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes the bytes, then reads responses until the server closes the socket (or `timeoutMs`). */
async function exchange(
  port: number,
  chunks: string[],
  timeoutMs = 3000,
): Promise<{ responses: RawResponse[]; closed: boolean; rest: string }> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = Buffer.alloc(0);
  let closed = false;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    socket.on('data', (c: Buffer) => (data = Buffer.concat([data, c])));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve();
    });
  });
  for (const chunk of chunks) {
    socket.write(chunk);
    await new Promise((r) => setTimeout(r, 20));
  }
  await done;
  socket.destroy();
  const { responses, rest } = parseResponses(data);
  return { responses, closed, rest };
}

function parseResponses(data: Buffer): { responses: RawResponse[]; rest: string } {
  const responses: RawResponse[] = [];
  let offset = 0;
  for (;;) {
    const headerEnd = data.indexOf('\r\n\r\n', offset);
    if (headerEnd < 0) break;
    const head = data.subarray(offset, headerEnd).toString('latin1').split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    if (headers['transfer-encoding'] === 'chunked') throw new Error('chunked response');
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = headerEnd + 4;
    responses.push({
      status,
      headers,
      body: data.subarray(bodyStart, bodyStart + length).toString('utf8'),
    });
    offset = bodyStart + length;
  }
  return { responses, rest: data.subarray(offset).toString('latin1') };
}

describe('the wire', () => {
  let t: TestApp;
  let a: TestMerchant;
  let port: number;
  let auth: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    port = Number(new URL(t.baseUrl).port);
    auth = `Authorization: ${a.privateKey}\r\n`;
  });
  afterAll(async () => t.close());

  async function newAddOn(name = 'wire'): Promise<string> {
    const res = await a.api.post('/api/recurring/addon', { name, amount: 150 });
    expect(res.status).toBe(200);
    return res.body.data.id as string;
  }

  describe('a GET or DELETE carrying {} without a Content-Length (the JavaScript SDK)', () => {
    it('GET with connection: close is answered normally and the stray bytes are ignored', async () => {
      const id = await newAddOn();
      const { responses, closed } = await exchange(port, [
        `GET /api/recurring/addon/${id} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nConnection: close\r\n\r\n{}`,
      ]);
      expect(responses).toHaveLength(1);
      expect(responses[0].status).toBe(200);
      expect(JSON.parse(responses[0].body)).toMatchObject({ status: 'success', data: { id } });
      expect(closed).toBe(true);
    });

    it('DELETE with connection: close deletes and answers normally', async () => {
      const id = await newAddOn();
      const { responses } = await exchange(port, [
        `DELETE /api/recurring/addon/${id} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nConnection: close\r\n\r\n{}`,
      ]);
      expect(responses).toHaveLength(1);
      expect(responses[0].status).toBe(200);
      expect(JSON.parse(responses[0].body).status).toBe('success');
      expect((await a.api.get(`/api/recurring/addon/${id}`)).status).toBe(404);
    });

    it('the {} in its own packet after the headers is ignored too', async () => {
      const id = await newAddOn();
      const { responses } = await exchange(port, [
        `GET /api/recurring/addon/${id} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`,
        '{}',
      ]);
      expect(responses).toHaveLength(1);
      expect(responses[0].status).toBe(200);
    });

    it('on a keep-alive connection it is answered normally and the connection is closed after the answer', async () => {
      const id = await newAddOn();
      const { responses, closed, rest } = await exchange(port, [
        `GET /api/recurring/addon/${id} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\n\r\n{}`,
      ]);
      expect(responses).toHaveLength(1);
      expect(responses[0].status).toBe(200);
      expect(JSON.parse(responses[0].body).data.id).toBe(id);
      // The stray bytes leave the rest of the stream unparseable: the answer says so, and the
      // client opens a new connection for its next request instead of hanging.
      expect(responses[0].headers.connection).toBe('close');
      expect(closed).toBe(true);
      expect(rest).toBe('');
    });

    it("node's own http client, as the SDK uses it, makes GET, DELETE, GET in a row on a keep-alive agent", async () => {
      const id = await newAddOn();
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const send = (method: string, path: string) =>
        new Promise<{ status: number; body: any }>((resolve, reject) => {
          const req = httpRequest(
            `${t.baseUrl}${path}`,
            {
              method,
              agent,
              headers: {
                authorization: a.privateKey,
                'content-type': 'application/json',
                connection: 'close',
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (text += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
            },
          );
          req.on('error', reject);
          req.write('{}'); // no Content-Length: node does not frame a GET body
          req.end();
        });
      try {
        for (let i = 0; i < 2; i++) {
          expect((await send('GET', `/api/recurring/addon/${id}`)).status).toBe(200);
          expect((await send('GET', '/api/recurring/addons')).body.status).toBe('success');
        }
        expect((await send('DELETE', `/api/recurring/addon/${id}`)).status).toBe(200);
        expect((await send('GET', `/api/recurring/addon/${id}`)).status).toBe(404);
      } finally {
        agent.destroy();
      }
    });
  });

  describe('pipelined requests are still parsed strictly', () => {
    it('two well-formed requests in one write get two answers, in order, on a kept-alive connection', async () => {
      const first = await newAddOn('first');
      const second = await newAddOn('second');
      const { responses, closed } = await exchange(
        port,
        [
          `GET /api/recurring/addon/${first} HTTP/1.1\r\nHost: x\r\n${auth}\r\n` +
            `GET /api/recurring/addon/${second} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
        ],
        1500,
      );
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      expect(responses.map((r) => JSON.parse(r.body).data.name)).toEqual(['first', 'second']);
      expect(responses[1].headers.connection).not.toBe('close');
      expect(closed).toBe(false);
    });

    it('a request after stray bytes is not read as a request: the good one is answered, the connection closed', async () => {
      const id = await newAddOn();
      const { responses, closed } = await exchange(port, [
        `GET /api/recurring/addon/${id} HTTP/1.1\r\nHost: x\r\n${auth}\r\n{}` +
          `DELETE /api/recurring/addon/${id} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
      ]);
      expect(responses.map((r) => r.status)).toEqual([200]);
      expect(closed).toBe(true);
      expect((await a.api.get(`/api/recurring/addon/${id}`)).status).toBe(200);
    });

    it('a smuggling attempt (Content-Length with Transfer-Encoding) is refused in the envelope', async () => {
      const { responses, closed } = await exchange(port, [
        `POST /api/recurring/addon HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ]);
      expect(responses).toHaveLength(1);
      expect(responses[0].status).toBe(400);
      expect(JSON.parse(responses[0].body)).toEqual({ status: 'failed', msg: expect.any(String) });
      expect(closed).toBe(true);
    });

    it('garbage instead of a request line gets a 400 in the envelope', async () => {
      const { responses, closed } = await exchange(port, ['NOT HTTP AT ALL\r\n\r\n']);
      expect(responses).toHaveLength(1);
      expect(responses[0].status).toBe(400);
      expect(JSON.parse(responses[0].body)).toEqual({ status: 'failed', msg: expect.any(String) });
      expect(closed).toBe(true);
    });

    it('headers over the size limit get a 431 in the envelope', async () => {
      const { responses } = await exchange(port, [
        `GET /api/recurring/addons HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      ]);
      expect(responses).toHaveLength(1);
      expect(responses[0].status).toBe(431);
      expect(JSON.parse(responses[0].body)).toEqual({ status: 'failed', msg: expect.any(String) });
    });
  });

  describe('every error in the envelope', () => {
    const envelope = { status: 'failed', msg: expect.any(String) };
    // Plain fetch: these answers come from below the routes, not from their declared responses.
    const raw = async (method: string, path: string, body?: string, type = 'application/json') => {
      const res = await fetch(`${t.baseUrl}${path}`, {
        method,
        headers: {
          authorization: a.privateKey,
          ...(body === undefined ? {} : { 'content-type': type }),
        },
        body,
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown };
    };

    it('414: a path id over 100 characters', async () => {
      const res = await raw('GET', `/api/recurring/addon/${'a'.repeat(150)}`);
      expect(res.status).toBe(414);
      expect(res.body).toEqual(envelope);
      expect(res.headers.get('x-correlation-id')).toBeTruthy();
    });

    it('404: no such route', async () => {
      const res = await raw('GET', '/api/no/such/route');
      expect(res.status).toBe(404);
      expect(res.body).toEqual(envelope);
    });

    it('413: a body over the limit', async () => {
      const res = await raw(
        'POST',
        '/api/recurring/addon',
        JSON.stringify({ name: 'x'.repeat(1_100_000) }),
      );
      expect(res.status).toBe(413);
      expect(res.body).toEqual(envelope);
    });

    it('415: a content type the API does not read', async () => {
      const res = await raw('POST', '/api/recurring/addon', 'name=x', 'text/plain');
      expect(res.status).toBe(415);
      expect(res.body).toEqual(envelope);
    });

    it('400: malformed JSON', async () => {
      const res = await raw('POST', '/api/recurring/addon', '{"name":');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope);
    });

    it('400: a malformed URL component', async () => {
      const res = await raw('GET', '/api/recurring/addon/%E0%A4%A');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).toEqual(envelope);
    });

    it('401 without a key, 405-free: a wrong method is a 404 in the envelope', async () => {
      const res = await new Api(t.baseUrl).get('/api/recurring/addons');
      expect(res.status).toBe(401);
      expect(res.body).toEqual(envelope);
      const wrong = await raw('PATCH', '/api/recurring/addons', '{}');
      expect(wrong.status).toBe(404);
      expect(wrong.body).toEqual(envelope);
    });
  });
});
