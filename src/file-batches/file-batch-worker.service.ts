import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { TransactionsService } from '../gateway/transactions/transactions.service';
import { TransactionView } from '../gateway/transactions/transaction.views';
import { requestFingerprint } from '../platform/idempotency/stable-hash';
import { Clock, CLOCK } from '../platform/clock/clock';
import { FieldCipher } from '../platform/crypto/field-cipher';
import { DomainError, NotFoundError } from '../platform/errors/errors';
import { parseRow, RowFields } from './csv-row';
import { FileBatch } from './file-batch.entity';
import { rowsSealContext } from './file-batches.service';

const ROWS_PER_CHUNK = 100;
const ROW_CONCURRENCY = 4;
const LEASE_MS = 2 * 60 * 1000;

type RowResult =
  | { status: 'approved' | 'declined'; transactionId: string; code: number; text: string }
  | { status: 'error'; error: string };

/** The row's own idempotency key: the same row of the same batch is one transaction, ever. */
export function rowIdempotencyKey(batchId: string, rowNumber: number): string {
  return `filebatch:${batchId}:${rowNumber}`;
}

/**
 * Runs file batches in the background, through the gateway's own transaction path
 * (TransactionsService.processRequest / captureRequest / refundRequest, typed commands).
 *
 * Exactly once per row, by construction: a chunk of rows is marked `attempting` (committed)
 * before any of them runs; each row runs under its own idempotency key (batch + row), and
 * its transaction commits on its own; results and counters are written per chunk. A worker
 * that dies leaves rows `attempting`: the next one looks each up by its key, records the
 * transaction it finds, and runs again only the rows that never reached the gateway.
 * Batches are leased (lease_owner / lease_until), so two workers never run one batch.
 */
@Injectable()
export class FileBatchWorker {
  private readonly logger = new Logger(FileBatchWorker.name);
  private readonly owner = randomUUID();
  private running: Promise<void> | null = null;
  /** Uploads start the worker at once; tests that drive it by hand turn this off. */
  autoStart = true;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
    private readonly transactions: TransactionsService,
  ) {}

  /** Starts processing in the background unless it is already running. */
  kick(): void {
    if (!this.autoStart) return;
    void this.runAll();
  }

  /** Picks up batches left by a stopped worker (expired leases) and new ones. */
  @Interval(5000)
  poll(): void {
    this.kick();
  }

  /** Processes every batch there is to process; resolves when none is left. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (;;) {
          const batch = await this.claim();
          if (!batch) return;
          await this.runBatch(batch);
        }
      } catch (err) {
        this.logger.error({ err }, 'file batch worker stopped; it resumes on the next poll');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async claim(): Promise<FileBatch | null> {
    const now = this.clock.now();
    // NOTE: TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(
      `UPDATE file_batches SET status = 'processing', lease_owner = $1, lease_until = $2,
              started_at = coalesce(started_at, $3), updated_at = $3
        WHERE id = (
          SELECT id FROM file_batches
           WHERE status IN ('queued', 'processing') AND (lease_until IS NULL OR lease_until < $3)
           ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [this.owner, new Date(now.getTime() + LEASE_MS), now],
    );
    if (rows.length === 0) return null;
    return this.dataSource.getRepository(FileBatch).findOneByOrFail({ id: rows[0].id });
  }

  private async runBatch(batch: FileBatch): Promise<void> {
    await this.resolveInterrupted(batch);
    for (;;) {
      // Mark the next chunk attempting (one statement) before any of its rows runs.
      const [chunk]: [{ row_number: number; fields_sealed: string }[], number] =
        await this.dataSource.query(
          `UPDATE file_batch_rows r SET status = 'attempting'
          FROM (SELECT row_number FROM file_batch_rows
                 WHERE batch_id = $1 AND status = 'pending' ORDER BY row_number LIMIT ${ROWS_PER_CHUNK}) n
         WHERE r.batch_id = $1 AND r.row_number = n.row_number
         RETURNING r.row_number, r.fields_sealed`,
          [batch.id],
        );
      if (chunk.length === 0) break;
      chunk.sort((a, b) => a.row_number - b.row_number);
      const results = new Map<number, RowResult>();
      // Rows are independent (each its own key and transaction): a few run at once.
      let next = 0;
      const lane = async () => {
        while (next < chunk.length) {
          const row = chunk[next++];
          results.set(row.row_number, await this.runRow(batch, row));
        }
      };
      await Promise.all(Array.from({ length: Math.min(ROW_CONCURRENCY, chunk.length) }, lane));
      await this.record(batch, results);
    }
    const now = this.clock.now();
    await this.dataSource.query(
      `UPDATE file_batches SET status = 'completed', completed_at = $3, updated_at = $3,
              lease_owner = NULL, lease_until = NULL
        WHERE id = $1 AND lease_owner = $2`,
      [batch.id, this.owner, now],
    );
    this.logger.log({ merchantId: batch.merchantId, batchId: batch.id }, 'file batch completed');
  }

  private async runRow(
    batch: FileBatch,
    row: { row_number: number; fields_sealed: string },
  ): Promise<RowResult> {
    const fields = JSON.parse(
      this.cipher.decrypt(row.fields_sealed, rowsSealContext(batch.merchantId)),
    ) as RowFields;
    const key = rowIdempotencyKey(batch.id, row.row_number);
    try {
      const command = parseRow(fields, key, this.clock.now());
      let view: TransactionView;
      if (command.kind === 'process') {
        const fingerprint = requestFingerprint('FILEBATCH', batch.id, { row: row.row_number });
        view = (
          await this.transactions.processRequest(
            batch.merchantId,
            batch.userId,
            command.request,
            fingerprint,
          )
        ).transaction;
      } else if (command.kind === 'capture') {
        view = await this.transactions.captureRequest(
          batch.merchantId,
          command.transactionId,
          command.input,
        );
      } else {
        view = await this.transactions.refundRequest(
          batch.merchantId,
          command.transactionId,
          command.input,
          { idempotencyKey: key },
        );
      }
      return resultOf(view);
    } catch (err) {
      // Bad input or a state that refuses the row (404, 409, 422): the row's result. Faults stop the batch.
      if (err instanceof DomainError) return { status: 'error', error: err.message };
      throw err;
    }
  }

  /**
   * Rows a stopped worker left `attempting`: each may have charged. Its transaction, found by
   * the row's key, is its result; a row with none never reached the gateway and runs again.
   * A capture leaves no key of its own: its authorization, captured, is the result.
   */
  private async resolveInterrupted(batch: FileBatch): Promise<void> {
    const rows: { row_number: number; fields_sealed: string }[] = await this.dataSource.query(
      `SELECT row_number, fields_sealed FROM file_batch_rows
        WHERE batch_id = $1 AND status = 'attempting' ORDER BY row_number`,
      [batch.id],
    );
    if (rows.length === 0) return;
    const results = new Map<number, RowResult>();
    const retry: number[] = [];
    for (const row of rows) {
      const key = rowIdempotencyKey(batch.id, row.row_number);
      const found = await this.transactions.findByIdempotencyKey(
        batch.merchantId,
        key,
        new Date(0),
      );
      if (found) {
        results.set(row.row_number, resultOf(found));
        continue;
      }
      const fields = JSON.parse(
        this.cipher.decrypt(row.fields_sealed, rowsSealContext(batch.merchantId)),
      ) as RowFields;
      if ((fields.transaction_type ?? '').toLowerCase() === 'capture' && fields.transaction_id) {
        const auth = await this.transactions
          .get(batch.merchantId, fields.transaction_id)
          .catch((err: unknown) => {
            if (err instanceof NotFoundError) return null;
            throw err;
          });
        if (auth && auth.type === 'authorize' && auth.captured_at !== null) {
          results.set(row.row_number, resultOf(auth));
          continue;
        }
      }
      retry.push(row.row_number);
    }
    if (retry.length > 0) {
      await this.dataSource.query(
        `UPDATE file_batch_rows SET status = 'pending' WHERE batch_id = $1 AND row_number = ANY($2)`,
        [batch.id, retry],
      );
    }
    if (results.size > 0) await this.record(batch, results);
    this.logger.warn(
      { batchId: batch.id, resolved: results.size, retried: retry.length },
      'file batch resumed after an interruption',
    );
  }

  /** Results and counters of a chunk, in one transaction; the lease is renewed with them. */
  private async record(batch: FileBatch, results: Map<number, RowResult>): Promise<void> {
    const numbers = [...results.keys()];
    const list = numbers.map((n) => results.get(n)!);
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      const [updated]: [{ status: string }[], number] = await em.query(
        `UPDATE file_batch_rows r
            SET status = u.status, transaction_id = u.tx, response_code = u.code,
                response_text = u.text, error = u.error
           FROM unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[])
             AS u(n, status, tx, code, text, error)
          WHERE r.batch_id = $1 AND r.row_number = u.n AND r.status = 'attempting'
          RETURNING r.status`,
        [
          batch.id,
          numbers,
          list.map((r) => r.status),
          list.map((r) => (r.status === 'error' ? null : r.transactionId)),
          list.map((r) => (r.status === 'error' ? null : r.code)),
          list.map((r) => (r.status === 'error' ? '' : r.text)),
          list.map((r) => (r.status === 'error' ? r.error : '')),
        ],
      );
      const count = (s: string) => updated.filter((r) => r.status === s).length;
      await em.query(
        `UPDATE file_batches SET processed_count = processed_count + $2,
                approved_count = approved_count + $3, declined_count = declined_count + $4,
                error_count = error_count + $5, updated_at = $6, lease_until = $7
          WHERE id = $1`,
        [
          batch.id,
          updated.length,
          count('approved'),
          count('declined'),
          count('error'),
          now,
          new Date(now.getTime() + LEASE_MS),
        ],
      );
    });
  }
}

function resultOf(view: TransactionView): RowResult {
  return {
    status: view.response_code < 200 ? 'approved' : 'declined',
    transactionId: view.id,
    code: view.response_code,
    text: view.response_text,
  };
}
