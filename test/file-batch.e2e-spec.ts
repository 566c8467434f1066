import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { FileBatchWorker } from '../src/file-batches/file-batch-worker.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const VISA = '4111111111111111';
const DECLINE = '4000000000000002'; // insufficient funds (202)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('file batch (spec: File Batch)', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let db: DataSource;
  let worker: FileBatchWorker;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
    db = t.app.get(DataSource);
    worker = t.app.get(FileBatchWorker);
  });
  afterAll(async () => t.close());

  async function upload(
    m: TestMerchant,
    content: string | Uint8Array,
    type = 'text/csv',
    baseUrl = t.baseUrl,
  ) {
    const form = new FormData();
    form.append('file', new Blob([content], { type }), 'batch.csv');
    const res = await fetch(`${baseUrl}/api/filebatch`, {
      method: 'POST',
      headers: { authorization: m.privateKey },
      body: form,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function waitFor(m: TestMerchant, id: string, until = 'completed') {
    for (let i = 0; i < 600; i++) {
      const res = await m.api.get(`/api/filebatch/${id}`);
      if (res.body.data.status === until) return res.body.data;
      await sleep(100);
    }
    throw new Error(`file batch ${id} did not reach ${until}`);
  }

  async function download(m: TestMerchant, id: string) {
    const res = await fetch(`${t.baseUrl}/api/filebatch/${id}/download`, {
      headers: { authorization: m.privateKey },
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }

  const batchesOf = async (m: TestMerchant) =>
    (
      await db.query(`SELECT count(*)::int AS n FROM file_batches WHERE merchant_id = $1`, [m.id])
    )[0].n as number;

  it('takes a CSV, answers at once, runs every row through the transaction path and reports each', async () => {
    const customer = await a.api.post('/api/vault/customer', {
      default_payment: { card: { number: VISA, expiration_date: '12/39' } },
    });
    expect(customer.status).toBe(200);
    const customerId = customer.body.data.id;
    // Header in another order than the spec's, quoted fields, a comma inside a quoted field.
    const csv = [
      '"amount","transaction_type","cc_number","cc_expiration","order_id","description","billing_first_name","billing_postal_code","customer_id","ach_account_number","ach_routing_number","ach_account_type","ach_sec_code"',
      `"1500","sale","${VISA}","12/39","ord1","first, with a comma","Jane","60187","","","","",""`,
      `"2000","sale","${DECLINE}","12/39","ord2","","","","","","","",""`,
      `"900","authorize","${VISA}","12/39","","","","","","","","",""`,
      `"","verification","${VISA}","12/39","","","","","","","","",""`,
      `"700","sale","","","","","","","${customerId}","","","",""`,
      `"800","credit","","","","","","","","123456789","490000018","checking","PPD"`,
      // Bad rows: Luhn, missing amount, unknown type, no payment method, wrong field count.
      `"100","sale","4111111111111121","12/39","","","","","","","","",""`,
      `"","sale","${VISA}","12/39","","","","","","","","",""`,
      `"100","purchase","${VISA}","12/39","","","","","","","","",""`,
      `"100","sale","","","","","","","","","","",""`,
      `"100","sale","${VISA}"`,
      '',
    ].join('\n');
    const res = await upload(a, csv);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: expect.stringMatching(/^[0-9a-v]{20}$/),
      rows: 11,
      status: expect.stringMatching(/^(queued|processing|completed)$/),
    });
    const id = res.body.data.id;
    const done = await waitFor(a, id);
    expect(done).toMatchObject({
      rows: 11,
      processed: 11,
      approved: 5,
      declined: 1,
      errors: 5,
      progress: 100,
      failure_reason: '',
    });

    const file = await download(a, id);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^text\/csv/);
    expect(file.text).not.toContain(VISA);
    expect(file.text).not.toContain('123456789');
    const rows: Record<string, string>[] = parse(file.text, { columns: true });
    expect(rows).toHaveLength(11);
    expect(rows[0]).toMatchObject({
      row: '1',
      transaction_type: 'sale',
      amount: '1500',
      cc_number: '411111******1111',
      status: 'approved',
      response_code: '100',
      error: '',
    });
    expect(rows[1]).toMatchObject({ status: 'declined', response_code: '202' });
    expect(rows[4]).toMatchObject({ customer_id: customerId, status: 'approved' });
    expect(rows[5]).toMatchObject({
      ach_account_number: expect.stringMatching(/6789$/),
      status: 'approved',
    });
    expect(rows[6]).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/invalid cc_number/),
    });
    expect(rows[7].error).toMatch(/invalid amount: is required/);
    expect(rows[8].error).toMatch(/invalid transaction_type/);
    expect(rows[9].error).toMatch(/names no payment method/);
    expect(rows[10].error).toMatch(/the row has 3 fields; the header has 13/);

    // The same transactions as POST /api/transaction makes, keyed by batch and row.
    const tx = await a.api.get(`/api/transaction/${rows[0].transaction_id}`);
    expect(tx.body.data[0]).toMatchObject({
      type: 'sale',
      amount: 1500,
      order_id: 'ord1',
      description: 'first, with a comma',
      idempotency_key: `filebatch:${id}:1`,
      billing_address: { first_name: 'Jane', postal_code: '60187' },
    });
  });

  it('another merchant’s batch is 404, for status and download', async () => {
    const res = await upload(
      a,
      `transaction_type,amount,cc_number,cc_expiration\nsale,100,${VISA},12/39\n`,
    );
    expect((await b.api.get(`/api/filebatch/${res.body.data.id}`)).status).toBe(404);
    expect((await download(b, res.body.data.id)).status).toBe(404);
    expect((await b.api.get('/api/filebatch/nope')).status).toBe(404);
  });

  it.each([
    [
      'no header (the first row is data)',
      `"sale","100","${VISA}","12/39"\n`,
      /invalid file: the first row must be a header/,
    ],
    [
      'an unknown column',
      'transaction_type,amount,colour\nsale,100,red\n',
      /unknown column\(s\) in the header: colour/,
    ],
    [
      'a header without amount',
      'transaction_type,cc_number\nsale,4111\n',
      /the header must include amount/,
    ],
    ['an empty file', '', /invalid file: is empty/],
    [
      'binary content',
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x0a]),
      /invalid file/,
    ],
    ['a broken quote', 'transaction_type,amount\n"sale,100\n', /invalid file: is not valid CSV/],
  ])('refuses %s with 400 naming the problem, creating nothing', async (_name, content, msg) => {
    const before = await batchesOf(a);
    const res = await upload(a, content as string);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 'failed', msg: expect.stringMatching(msg) });
    expect(await batchesOf(a)).toBe(before);
  });

  it('refuses a file that is not CSV by its type, and a request that is not multipart', async () => {
    const png = await upload(a, 'transaction_type,amount\n', 'image/png');
    expect(png.status).toBe(400);
    expect(png.body.msg).toMatch(/must be a CSV file/);
    const json = await a.api.post('/api/filebatch', { file: 'x' });
    expect(json.status).toBe(400);
    expect(json.body.msg).toMatch(/multipart\/form-data/);
  });

  it('refuses a file above the size limit with 413, creating nothing', async () => {
    const small = await startTestApp({ REBILL_FILE_BATCH_MAX_BYTES: '2048' });
    try {
      const m = await createMerchant(small.baseUrl);
      const big = `transaction_type,amount,cc_number,cc_expiration\n${`sale,100,${VISA},12/39\n`.repeat(200)}`;
      const res = await upload(m, big, 'text/csv', small.baseUrl);
      expect(res.status).toBe(413);
      expect(res.body.msg).toMatch(/exceeds the size limit of 2048 bytes/);
      expect(await batchesOf(m)).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('a resumed batch finds the transactions of rows left attempting instead of charging again', async () => {
    worker.autoStart = false;
    try {
      const lines = Array.from({ length: 6 }, (_, i) => `sale,${1000 + i},${VISA},12/39`);
      const res = await upload(
        a,
        `transaction_type,amount,cc_number,cc_expiration\n${lines.join('\n')}\n`,
      );
      const id = res.body.data.id;
      await worker.runAll();
      const before: { row_number: number; transaction_id: string }[] = await db.query(
        `SELECT row_number, transaction_id FROM file_batch_rows WHERE batch_id = $1 ORDER BY row_number`,
        [id],
      );
      // As if the worker died after rows 2–4 charged but before their results were stored.
      await db.query(
        `UPDATE file_batch_rows SET status = 'attempting', transaction_id = NULL, response_code = NULL
          WHERE batch_id = $1 AND row_number BETWEEN 2 AND 4`,
        [id],
      );
      await db.query(
        `UPDATE file_batches SET status = 'processing', processed_count = 3, approved_count = 3,
                lease_until = NULL, completed_at = NULL WHERE id = $1`,
        [id],
      );
      await worker.runAll();
      const after = await db.query(
        `SELECT row_number, transaction_id FROM file_batch_rows WHERE batch_id = $1 ORDER BY row_number`,
        [id],
      );
      expect(after).toEqual(before);
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM gateway_transactions WHERE idempotency_key LIKE $1`,
        [`filebatch:${id}:%`],
      );
      expect(n).toBe(6);
      expect((await a.api.get(`/api/filebatch/${id}`)).body.data).toMatchObject({
        status: 'completed',
        processed: 6,
        approved: 6,
      });
    } finally {
      worker.autoStart = true;
    }
  });

  it('survives a worker killed (SIGKILL) mid-file: every row charged exactly once', async () => {
    worker.autoStart = false;
    let child: ChildProcess | null = null;
    try {
      const rows = 1500;
      const lines = Array.from({ length: rows }, (_, i) => `"sale","${100 + i}","${VISA}","12/39"`);
      const res = await upload(
        a,
        `"transaction_type","amount","cc_number","cc_expiration"\n${lines.join('\n')}\n`,
      );
      expect(res.status).toBe(200);
      const id = res.body.data.id;
      child = spawn(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'src/file-batches/file-batch-worker-cli.ts'],
        {
          cwd: resolve(__dirname, '..'),
          env: { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let processed = 0;
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      // The worker process needs a while to start (ts-node) on a busy machine.
      for (let i = 0; i < 3600 && processed < 100 && child.exitCode === null; i++) {
        await sleep(50);
        processed = (await a.api.get(`/api/filebatch/${id}`)).body.data.processed;
      }
      child.kill('SIGKILL');
      await new Promise((done) =>
        child!.exitCode !== null || child!.signalCode !== null
          ? done(null)
          : child!.once('exit', done),
      );
      if (processed === 0) throw new Error(`the worker process did not start: ${stderr}`);
      const mid = (await a.api.get(`/api/filebatch/${id}`)).body.data;
      expect(mid.processed).toBeGreaterThan(0);
      expect(mid.processed).toBeLessThan(rows);

      // Another worker takes over once the dead one's lease has run out.
      t.clock.advance(3 * 60 * 1000);
      try {
        await worker.runAll();
      } finally {
        t.clock.reset();
      }
      const done = (await a.api.get(`/api/filebatch/${id}`)).body.data;
      expect(done).toMatchObject({
        status: 'completed',
        rows,
        processed: rows,
        approved: rows,
        errors: 0,
      });
      const dupes = await db.query(
        `SELECT idempotency_key FROM gateway_transactions WHERE idempotency_key LIKE $1
          GROUP BY idempotency_key HAVING count(*) > 1`,
        [`filebatch:${id}:%`],
      );
      expect(dupes).toEqual([]);
      const [{ n, distinct_rows }] = await db.query(
        `SELECT count(*)::int AS n, count(DISTINCT r.row_number)::int AS distinct_rows
           FROM file_batch_rows r JOIN gateway_transactions g ON g.id = r.transaction_id
          WHERE r.batch_id = $1 AND g.amount = 99 + r.row_number`,
        [id],
      );
      expect(n).toBe(rows);
      expect(distinct_rows).toBe(rows);
      const [{ total }] = await db.query(
        `SELECT count(*)::int AS total FROM gateway_transactions WHERE idempotency_key LIKE $1`,
        [`filebatch:${id}:%`],
      );
      expect(total).toBe(rows);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      worker.autoStart = true;
    }
  }, 300_000);
});
