import { DataSource } from 'typeorm';
import {
  createMerchant,
  PARTNER_KEY,
  startTestApp,
  TestApp,
  TestMerchant,
} from './support/test-app';

/**
 * User input never causes a 500 and bad input changes nothing: a fixed battery of hostile
 * inputs (wrong types, NUL characters, huge numbers, over-long strings, deep nesting,
 * calendar-impossible dates, odd path ids) is sent to EVERY route of the OpenAPI document
 * (/docs-json), so routes added later are covered without touching this file. Where the
 * document describes a route's body or query, the battery is aimed at its real fields;
 * otherwise at the path parameters and generic bodies every route must refuse.
 *
 * Fails on any 5xx, and on any change to any table (a checksum of every row of every table,
 * taken before and after each route's battery).
 */

type Schema = {
  type?: string | string[];
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Operation = {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** Raw JSON texts, so that numbers JSON.stringify cannot write (1e400) are sent as they are. */
const HUGE = '1e400';
const BIG_INT = '123456789012345678901234567890';
const LONG = JSON.stringify('x'.repeat(1_000_000 - 100));
const NUL = JSON.stringify('a\u0000b');
const DEEP = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);

/** Values wrong for a field of any type, by JSON type; each a raw JSON text. */
const WRONG_BY_TYPE: Record<string, string[]> = {
  string: ['12345', 'true', '[]', '{}', NUL, LONG],
  integer: ['"abc"', HUGE, `-${HUGE}`, BIG_INT, '-1', '1.5', '"12"', NUL],
  number: ['"abc"', HUGE, BIG_INT, '-1', NUL],
  boolean: ['"yes"', '1', NUL],
  object: ['"x"', '[]', '12', NUL, DEEP],
  array: ['"x"', '{}', '12', '[' + NUL + ']', DEEP],
  unknown: [NUL, LONG, HUGE, BIG_INT, '[]', '{}'],
};

/** Bodies every route that reads a body must refuse. */
const GENERIC_BODIES = [
  '[]',
  '"a string"',
  '12',
  'null',
  DEEP,
  `{"name":${NUL}}`,
  `{"id":${NUL},"customer":{"id":${NUL}}}`,
  `{"note":${LONG}}`,
  '{"a":1,',
];

/** Path parameter values: none names anything that exists. */
const PATH_VALUES = [
  '%00',
  'abc%00def',
  'x'.repeat(101),
  '%E0%A4%A',
  "'%20OR%201%3D1--",
  '..%2F..%2Fetc%2Fpasswd',
  '-1',
  '99999999999999999999999999',
  '%F0%9F%92%A9',
  '2026-02-30',
];

/** Query strings for routes that read one. */
const GENERIC_QUERIES = [
  'limit=abc',
  `limit=${HUGE}`,
  'limit=-1',
  `offset=${BIG_INT}`,
  'date_start=2026-02-30',
  'date_end=2026-13-01',
  'date_due=2026-02-30',
  'x=%00',
  'status=%00',
  'email=a%00b',
  'limit[]=1&limit[]=2',
];

/**
 * Fields of a few routes whose document entry has no body schema yet (the route schemas are
 * being added route by route): the battery aims at them until the document describes them.
 */
const S = (type: string): Schema => ({ type });
const KNOWN_BODIES: Record<string, Record<string, Schema>> = {
  'POST /api/invoice': {
    date_due: S('string'),
    customer: { type: 'object', properties: { id: S('string'), billing_address_id: S('string') } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: S('string'), amount: S('integer'), quantity: S('integer') },
      },
    },
    tax: S('integer'),
    currency: S('string'),
  },
  'POST /api/invoices/search': {
    date_due: S('object'),
    date_created: S('object'),
    status: S('string'),
  },
  'POST /api/recurring/subscription': {
    plan_id: S('string'),
    processor_id: S('string'),
    next_bill_date: S('string'),
    amount: S('integer'),
    billing_days: S('string'),
    customer: {
      type: 'object',
      properties: {
        id: S('string'),
        billing_address_id: S('string'),
        shipping_address_id: S('string'),
      },
    },
  },
  'POST /api/recurring/addon': { name: S('string'), amount: S('integer'), duration: S('integer') },
  'POST /api/recurring/plan': {
    name: S('string'),
    amount: S('integer'),
    billing_days: S('string'),
  },
  'POST /api/processor': {
    name: S('string'),
    default_tax_rate: S('integer'),
    gateway: S('object'),
  },
  'POST /api/vault/customer': { description: S('string'), default_payment: S('object') },
  'POST /api/transaction': { type: S('string'), amount: S('integer'), payment_method: S('object') },
  'POST /api/transaction/search': { created_at: S('object'), amount: S('object') },
  'POST /api/calculate/amounts': { base_amount: S('integer'), bin: S('string') },
  'POST /api/user/apikey': { type: S('string') },
};

function resolveRef(doc: OpenApi, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s?.$ref !== undefined && i < 10; i++) {
    s = doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')];
  }
  const alt = s?.anyOf ?? s?.oneOf ?? s?.allOf;
  if (alt !== undefined && s?.properties === undefined) {
    const merged: Schema = { type: 'object', properties: {} };
    for (const part of alt) Object.assign(merged.properties!, resolveRef(doc, part)?.properties);
    return merged;
  }
  return s;
}

function typeOf(schema: Schema | undefined): string {
  const t = Array.isArray(schema?.type) ? schema?.type.find((x) => x !== 'null') : schema?.type;
  return t !== undefined && t in WRONG_BY_TYPE ? t : schema?.properties ? 'object' : 'unknown';
}

/** One body per (field, wrong value): the field gets the value, nothing else is sent. */
function aimedBodies(doc: OpenApi, operation: Operation, route: string): string[] {
  const described = resolveRef(doc, operation.requestBody?.content?.['application/json']?.schema);
  const known = KNOWN_BODIES[route];
  const schema: Schema | undefined =
    described?.properties !== undefined || known === undefined
      ? described
      : { type: 'object', properties: known };
  const bodies: string[] = [];
  const visit = (s: Schema | undefined, wrap: (v: string) => string, depth: number) => {
    const resolved = resolveRef(doc, s);
    for (const [name, prop] of Object.entries(resolved?.properties ?? {})) {
      const p = resolveRef(doc, prop);
      const key = JSON.stringify(name);
      for (const value of WRONG_BY_TYPE[typeOf(p)]) bodies.push(wrap(`{${key}:${value}}`));
      if (/date/.test(name) || p?.format === 'date' || p?.format === 'date-time') {
        bodies.push(wrap(`{${key}:"2026-02-30"}`), wrap(`{${key}:"2026-02-29T25:00:00Z"}`));
      }
      if (depth < 2 && p?.properties) visit(p, (v) => wrap(`{${key}:${v}}`), depth + 1);
      if (depth < 2 && p?.items) {
        const items = resolveRef(doc, p.items);
        if (items?.properties) visit(items, (v) => wrap(`{${key}:[${v}]}`), depth + 1);
      }
    }
  };
  visit(schema, (v) => v, 0);
  return bodies;
}

function aimedQueries(operation: Operation): string[] {
  const queries: string[] = [];
  for (const p of operation.parameters ?? []) {
    if (p.in !== 'query') continue;
    const n = encodeURIComponent(p.name);
    queries.push(`${n}=%00`, `${n}=${'x'.repeat(20_000)}`, `${n}=2026-02-30`, `${n}=${BIG_INT}`);
    if (typeOf(p.schema) === 'integer' || typeOf(p.schema) === 'number') {
      queries.push(`${n}=abc`, `${n}=-1`, `${n}=${HUGE}`, `${n}=1.5`);
    }
  }
  return queries;
}

describe('hostile input to every route in the OpenAPI document', () => {
  let t: TestApp;
  let a: TestMerchant;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl, 'America/Chicago');
    dataSource = t.app.get(DataSource);
    // Something of each kind, so that list and search routes have rows to read.
    const addOn = await a.api.post('/api/recurring/addon', { name: 'battery', amount: 100 });
    expect(addOn.status).toBe(200);
    const customer = await a.api.post('/api/vault/customer', {
      description: 'battery',
      default_payment: { card: { number: '4111111111111111', expiration_date: '12/39' } },
    });
    expect(customer.status).toBe(200);
  });
  afterAll(async () => t.close());

  /** A checksum of every row of every table: any insert, update or delete changes it. */
  async function snapshot(): Promise<Map<string, string>> {
    const tables: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const parts = tables.map(
      ({ table_name }) =>
        `SELECT '${table_name}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '') AS h FROM "${table_name}" x`,
    );
    const rows: { t: string; h: string }[] = await dataSource.query(parts.join(' UNION ALL '));
    return new Map(rows.map((r) => [r.t, r.h]));
  }

  it('answers every hostile request with a 4xx in the envelope and changes nothing', async () => {
    const docRes = await fetch(`${t.baseUrl}/docs-json`);
    expect(docRes.status).toBe(200);
    const doc = (await docRes.json()) as OpenApi;
    const failures: string[] = [];
    let requests = 0;
    let routes = 0;
    let aimed = 0;

    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const verb = method.toUpperCase();
        if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(verb)) continue;
        routes++;
        const key = path.startsWith('/api/partner') ? PARTNER_KEY : a.privateKey;
        const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const withParams = (value: string) =>
          path.replace(/\{[^}]+\}/g, (_m, i: number) => (i === 0 ? value : 'nosuchid0000000000'));
        const cases: { url: string; body?: string }[] = [];
        const okPath = params.length === 0 ? path : withParams('nosuchid0000000000');
        for (const value of params.length > 0 ? PATH_VALUES : []) {
          for (const name of params) {
            cases.push({
              url: path.replace(/\{([^}]+)\}/g, (_m, p: string) =>
                p === name ? value : 'nosuchid0000000000',
              ),
            });
          }
        }
        if (verb === 'GET') {
          const queries = [...GENERIC_QUERIES, ...aimedQueries(operation)];
          for (const q of queries) cases.push({ url: `${okPath}?${q}` });
        } else {
          const bodies = aimedBodies(doc, operation, `${verb} ${path}`);
          if (bodies.length > 0) aimed++;
          for (const body of [...GENERIC_BODIES, ...bodies]) cases.push({ url: okPath, body });
        }

        const servesHtml = JSON.stringify(
          (operation as { responses?: unknown }).responses ?? {},
        ).includes('text/html');
        const before = await snapshot();
        const accepted: string[] = [];
        // A few requests in flight at once: the battery is large and the machine shared.
        const queue = [...cases];
        const sendOne = async (c: { url: string; body?: string }) => {
          requests++;
          let status = 0;
          let text = '';
          let contentType = '';
          try {
            const res = await fetch(`${t.baseUrl}${c.url}`, {
              method: verb,
              headers: {
                authorization: key,
                ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              body: c.body,
            });
            status = res.status;
            contentType = res.headers.get('content-type') ?? '';
            text = await res.text();
          } catch (err) {
            failures.push(`${verb} ${c.url.slice(0, 120)}: request failed (${String(err)})`);
            return;
          }
          const shown = `${verb} ${c.url.slice(0, 120)} ${c.body === undefined ? '' : c.body.slice(0, 80)}`;
          if (status >= 500) failures.push(`${shown} → ${status} ${text.slice(0, 200)}`);
          else if (status < 400) accepted.push(`${shown} → ${status}`);
          else {
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
            const envelope = body as { status?: unknown; msg?: unknown } | undefined;
            // A page for people (the hosted checkout) answers its errors as an HTML page.
            if (servesHtml && /^text\/html/.test(contentType)) return;
            if (envelope?.status !== 'failed' || typeof envelope.msg !== 'string')
              failures.push(`${shown} → ${status} outside the envelope: ${text.slice(0, 200)}`);
          }
        };
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            for (let c = queue.shift(); c !== undefined; c = queue.shift()) await sendOne(c);
          }),
        );
        const after = await snapshot();
        for (const [table, hash] of after) {
          if (before.get(table) !== hash) {
            failures.push(
              `${verb} ${path}: changed table ${table}; accepted: ${accepted.join(' | ').slice(0, 600)}`,
            );
          }
        }
      }
    }

    // The document lists the routes; make sure it is not an empty shell.
    expect(routes).toBeGreaterThan(50);
    process.stdout.write(
      `hostile-input battery: ${requests} requests to ${routes} routes (${aimed} with a described body)\n`,
    );
    expect(failures).toEqual([]);
  }, 600_000);
});
