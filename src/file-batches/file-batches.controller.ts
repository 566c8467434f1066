import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../platform/config/config';
import { DomainError, ValidationError } from '../platform/errors/errors';
import { ok } from '../platform/http/envelope';
import { Route } from '../platform/http/route-schema';
import { fileBatchView } from './file-batch.entity';
import { FILE_BATCH_ROUTES } from './file-batches.routes';
import { FileBatchWorker } from './file-batch-worker.service';
import { FileBatchesService } from './file-batches.service';

/** What a CSV may be sent as: browsers and tools label it in several ways. */
const CSV_TYPES = [
  'text/csv',
  'text/plain',
  'application/csv',
  'application/vnd.ms-excel',
  'application/octet-stream',
];

/** Spec: File Batch (upload, status, download). */
@ApiTags('file batch')
@Controller('api/filebatch')
export class FileBatchesController {
  constructor(
    private readonly batches: FileBatchesService,
    private readonly worker: FileBatchWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** multipart/form-data with one file field; answers at once with the queued batch. */
  @Post()
  @HttpCode(200)
  @Route(FILE_BATCH_ROUTES.upload)
  async upload(@CurrentMerchant() auth: MerchantAuth, @Req() request: FastifyRequest) {
    if (!request.isMultipart()) {
      throw new ValidationError('file', 'send the CSV as multipart/form-data, in a file field');
    }
    const limit = this.config.fileBatchMaxBytes;
    const part = await request.file({ limits: { fileSize: limit, files: 1 } });
    if (!part)
      throw new ValidationError('file', 'is required: a multipart file field with the CSV');
    const type = part.mimetype.split(';')[0].trim().toLowerCase();
    if (!CSV_TYPES.includes(type)) {
      part.file.resume(); // drain it
      throw new ValidationError('file', `must be a CSV file (text/csv), not ${type}`);
    }
    try {
      const batch = await this.batches.ingest(
        auth.merchantId,
        auth.userId,
        part.filename,
        part.file,
      );
      this.worker.kick();
      return ok(fileBatchView(batch));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'payload_too_large') {
        throw new DomainError(
          'payload_too_large',
          `file exceeds the size limit of ${limit} bytes for a file batch`,
        );
      }
      throw err;
    }
  }

  /** Status (queued, processing, completed, failed), counts and progress. */
  @Get(':id')
  @Route(FILE_BATCH_ROUTES.status)
  async status(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(fileBatchView(await this.batches.get(auth.merchantId, id)));
  }

  /** A CSV of every row with its result; card and account numbers masked. */
  @Get(':id/download')
  @Route(FILE_BATCH_ROUTES.download)
  async download(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { batch, csv } = await this.batches.download(auth.merchantId, id);
    void reply.header('content-disposition', `attachment; filename="filebatch-${batch.id}.csv"`);
    return new StreamableFile(csv, { type: 'text/csv; charset=utf-8' });
  }
}
