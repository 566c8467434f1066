import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CsvError, parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { FieldCipher } from '../platform/crypto/field-cipher';
import { DomainError, NotFoundError, ValidationError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import { CsvFileError, isBlankRow, parseHeader, rowFields, rowSummary } from './csv-row';
import { FileBatch } from './file-batch.entity';

/** Rows are written in chunks: memory stays bounded whatever the file's size. */
const INSERT_CHUNK = 1000;
const DOWNLOAD_PAGE = 1000;

export const RESULT_COLUMNS = [
  'row',
  'transaction_type',
  'amount',
  'cc_number',
  'ach_account_number',
  'customer_id',
  'order_id',
  'status',
  'transaction_id',
  'response_code',
  'response_text',
  'error',
] as const;

export function rowsSealContext(merchantId: string): string {
  return `file_batch_rows.fields:${merchantId}`;
}

interface PendingInsert {
  rowNumber: number;
  sealed: string;
  summary: ReturnType<typeof rowSummary>;
  error: string;
}

/**
 * Spec: File Batch. An upload is read as a stream, row by row, into file_batch_rows in one
 * database transaction: the batch appears complete (queued) or not at all. A problem with
 * the file itself (not CSV, no header, too large) refuses it; a problem with a row is that
 * row's result. The worker (file-batch-worker.service.ts) then runs the rows.
 */
@Injectable()
export class FileBatchesService {
  private readonly logger = new Logger(FileBatchesService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
  ) {}

  async ingest(
    merchantId: string,
    userId: string | null,
    fileName: string,
    file: Readable,
  ): Promise<FileBatch> {
    const now = this.clock.now();
    const id = newId();
    return this.dataSource.transaction(async (em) => {
      const batch = Object.assign(new FileBatch(), {
        id,
        merchantId,
        userId,
        fileName: fileName.slice(0, 255),
        columns: [],
        status: 'queued',
        rowCount: 0,
        processedCount: 0,
        approvedCount: 0,
        declinedCount: 0,
        errorCount: 0,
        failureReason: '',
        leaseOwner: null,
        leaseUntil: null,
        createdAt: now,
        startedAt: null,
        completedAt: null,
        updatedAt: now,
      } satisfies FileBatch);
      await em.getRepository(FileBatch).insert(batch);

      const parser = file.pipe(
        parse({ bom: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: false }),
      );
      // Piped streams do not forward errors: a size-limit error on the upload must reach the loop.
      file.on('error', (err) => parser.destroy(err));
      // The upload's size limit truncates the stream and emits 'limit': the file is refused.
      const tooLarge = () =>
        Object.assign(new Error('file too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
      file.on('limit', () => parser.destroy(tooLarge()));
      let columns: string[] | null = null;
      let chunk: PendingInsert[] = [];
      let rowNumber = 0;
      let errors = 0;
      const context = rowsSealContext(merchantId);
      try {
        for await (const record of parser as AsyncIterable<string[]>) {
          if (record.some((v) => v.includes('\u0000'))) {
            throw new CsvFileError('the file is not CSV text (it contains binary data)');
          }
          if (columns === null) {
            columns = parseHeader(record);
            continue;
          }
          if (isBlankRow(record)) continue;
          rowNumber++;
          const fields = rowFields(columns, record);
          const error =
            record.length === columns.length
              ? ''
              : `the row has ${record.length} fields; the header has ${columns.length}`;
          if (error) errors++;
          chunk.push({
            rowNumber,
            sealed: this.cipher.encrypt(JSON.stringify(fields), context),
            summary: rowSummary(fields),
            error,
          });
          if (chunk.length >= INSERT_CHUNK) {
            await this.insertRows(em, id, chunk);
            chunk = [];
          }
        }
      } catch (err) {
        throw fileProblem(err);
      }
      if ((file as Readable & { truncated?: boolean }).truncated) throw fileProblem(tooLarge());
      if (columns === null) {
        throw new ValidationError(
          'file',
          'is empty: the first row must be a header naming the columns',
        );
      }
      if (chunk.length > 0) await this.insertRows(em, id, chunk);
      Object.assign(batch, {
        columns,
        rowCount: rowNumber,
        processedCount: errors,
        errorCount: errors,
        status: rowNumber === errors ? 'completed' : 'queued',
        completedAt: rowNumber === errors ? now : null,
      });
      await em.getRepository(FileBatch).update(
        { id, merchantId },
        {
          columns: batch.columns,
          rowCount: batch.rowCount,
          processedCount: batch.processedCount,
          errorCount: batch.errorCount,
          status: batch.status,
          completedAt: batch.completedAt,
        },
      );
      this.logger.log({ merchantId, batchId: id, rows: rowNumber }, 'file batch received');
      return batch;
    });
  }

  async get(merchantId: string, id: string): Promise<FileBatch> {
    const batch = await this.dataSource.getRepository(FileBatch).findOneBy({ merchantId, id });
    if (!batch) throw new NotFoundError('file batch', id);
    return batch;
  }

  /** The result file: every row with its outcome, card and account numbers masked, streamed. */
  async download(merchantId: string, id: string): Promise<{ batch: FileBatch; csv: Readable }> {
    const batch = await this.get(merchantId, id);
    const dataSource = this.dataSource;
    async function* rows() {
      let after = 0;
      for (;;) {
        const page: Record<string, unknown>[] = await dataSource.query(
          `SELECT row_number, transaction_type, amount, masked_card, masked_account, customer_id,
                  order_id, status, transaction_id, response_code, response_text, error
             FROM file_batch_rows WHERE batch_id = $1 AND row_number > $2
            ORDER BY row_number LIMIT ${DOWNLOAD_PAGE}`,
          [batch.id, after],
        );
        for (const r of page) {
          yield [
            r.row_number,
            r.transaction_type,
            r.amount,
            r.masked_card,
            r.masked_account,
            r.customer_id,
            r.order_id,
            r.status,
            r.transaction_id ?? '',
            r.response_code ?? '',
            r.response_text,
            r.error,
          ];
        }
        if (page.length < DOWNLOAD_PAGE) return;
        after = Number(page[page.length - 1].row_number);
      }
    }
    const csv = Readable.from(rows()).pipe(
      stringify({ header: true, columns: [...RESULT_COLUMNS], quoted: true }),
    );
    return { batch, csv };
  }

  private async insertRows(em: EntityManager, batchId: string, rows: PendingInsert[]) {
    await em.query(
      `INSERT INTO file_batch_rows
         (batch_id, row_number, fields_sealed, transaction_type, amount, masked_card, masked_account,
          customer_id, order_id, status, error)
       SELECT $1, u.n, u.sealed, u.type, u.amount, u.card, u.account, u.customer, u.order_id,
              CASE WHEN u.error = '' THEN 'pending' ELSE 'error' END, u.error
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::text[], $10::text[])
           AS u(n, sealed, type, amount, card, account, customer, order_id, error)`,
      [
        batchId,
        rows.map((r) => r.rowNumber),
        rows.map((r) => r.sealed),
        rows.map((r) => r.summary.transactionType),
        rows.map((r) => r.summary.amount),
        rows.map((r) => r.summary.maskedCard),
        rows.map((r) => r.summary.maskedAccount),
        rows.map((r) => r.summary.customerId),
        rows.map((r) => r.summary.orderId),
        rows.map((r) => r.error),
      ],
    );
  }
}

/** A file-level problem → a 4xx naming it; anything else is a real fault. */
function fileProblem(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  if (err instanceof CsvFileError) return new ValidationError('file', err.message);
  if (err instanceof CsvError) {
    // NOTE: csv-parse's message quotes the offending value, which may be a card number.
    const line = (err as CsvError & { lines?: number }).lines;
    return new ValidationError(
      'file',
      `is not valid CSV (${err.code}${line ? ` at line ${line}` : ''}): fields are separated by commas and quoted with "`,
    );
  }
  const code = (err as { code?: string })?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new DomainError('payload_too_large', 'file exceeds the size limit for a file batch');
  }
  return err;
}
