/**
 * A gateway simulator in its own process, for the billing benchmark and the exactly-once
 * tests: it speaks the spec's POST /api/transaction and POST /api/transaction/search (the two
 * requests a billing run makes) from memory, so a measurement of the run measures Rebill and
 * not a sandbox sharing its process and database.
 *
 *   ts-node scripts/gateway-simulator.ts [--port 0] [--latency-ms 0] [--decline-rate 0]
 *                                        [--lost-rate 0]
 *
 * - `--latency-ms`: every answer waits this long (a real gateway takes 100–500 ms);
 * - `--decline-rate`: this share of charges is declined (202, insufficient funds);
 * - `--lost-rate`: this share of charges is recorded, but the connection is dropped before
 *   the answer (the client sees its request lost: an unknown outcome to resolve by search).
 * Which charges are declined or lost is decided by a hash of the idempotency key, so a
 * replay under the same key gets the first answer, as from a real gateway.
 *
 * Prints `listening <port>` on stdout once ready. POST /__control {"latency_ms": N} changes
 * the latency; GET /__stats answers the counts, GET /__transactions every transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

type Json = Record<string, unknown>;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'latency-ms': { type: 'string', default: '0' },
    'decline-rate': { type: 'string', default: '0' },
    'lost-rate': { type: 'string', default: '0' },
  },
});
let latencyMs = Number(values['latency-ms']);
const declineRate = Number(values['decline-rate']);
const lostRate = Number(values['lost-rate']);

const byKey = new Map<string, Json>();
const byOrder = new Map<string, Json[]>();
const stats = { charges: 0, replays: 0, declined: 0, lost: 0, searches: 0 };

/** A stable number in [0, 1) for a key and a purpose. */
function share(key: string, purpose: string): number {
  return createHash('sha1').update(`${purpose}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const answer = () => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
}

function charge(body: Json, res: ServerResponse): void {
  const key = typeof body.idempotency_key === 'string' ? body.idempotency_key : randomUUID();
  const known = byKey.get(key);
  if (known) {
    stats.replays++;
    return send(res, 200, { status: 'success', msg: 'success', data: known });
  }
  stats.charges++;
  const amount = typeof body.amount === 'number' ? body.amount : 0;
  const declined = share(key, 'decline') < declineRate;
  const tx: Json = {
    id: `sim${randomUUID().replace(/-/g, '').slice(0, 17)}`,
    type: typeof body.type === 'string' ? body.type : 'sale',
    amount,
    amount_authorized: declined ? 0 : amount,
    status: declined ? 'declined' : 'pending_settlement',
    response_code: declined ? 202 : 100,
    response_text: declined ? 'Insufficient funds' : 'Approved',
    order_id: typeof body.order_id === 'string' ? body.order_id : null,
    idempotency_key: key,
    customer_id: (body.payment_method as Json | undefined)?.customer
      ? String(((body.payment_method as Json).customer as Json).id ?? '')
      : null,
    initiated_by: body.initiated_by ?? null,
    stored_credential_indicator: body.stored_credential_indicator ?? null,
    billing_method: body.billing_method ?? null,
    created_at: new Date().toISOString(),
  };
  if (declined) stats.declined++;
  byKey.set(key, tx);
  if (typeof tx.order_id === 'string') {
    byOrder.set(tx.order_id, [...(byOrder.get(tx.order_id) ?? []), tx]);
  }
  if (share(key, 'lost') < lostRate) {
    stats.lost++;
    // Recorded, but the answer never arrives: the client's request is lost.
    setTimeout(() => res.socket?.destroy(), latencyMs);
    return;
  }
  send(res, 200, { status: 'success', msg: 'success', data: tx });
}

function search(body: Json, res: ServerResponse): void {
  stats.searches++;
  const order = (body.order_id as Json | undefined)?.value;
  const rows =
    typeof order === 'string'
      ? (byOrder.get(order) ?? [])
      : [...byKey.values()].filter((t) => t.amount === (body.amount as Json | undefined)?.value);
  send(res, 200, { status: 'success', msg: 'success', data: rows, total_count: rows.length });
}

function route(req: IncomingMessage, res: ServerResponse, raw: string): void {
  let body: Json = {};
  try {
    body = raw === '' ? {} : (JSON.parse(raw) as Json);
  } catch {
    return send(res, 400, { status: 'failed', msg: 'malformed JSON' });
  }
  if (req.method === 'POST' && req.url === '/api/transaction') return charge(body, res);
  if (req.method === 'POST' && req.url === '/api/transaction/search') return search(body, res);
  if (req.method === 'POST' && req.url === '/__control') {
    if (typeof body.latency_ms === 'number') latencyMs = body.latency_ms;
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ latency_ms: latencyMs }));
  }
  if (req.method === 'GET' && req.url === '/__transactions') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify([...byKey.values()]));
  }
  if (req.method === 'GET' && req.url === '/__stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify(stats));
  }
  send(res, 404, { status: 'failed', msg: 'not found' });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
