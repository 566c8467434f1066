import { Module } from '@nestjs/common';
import { CryptoModule } from '../platform/crypto/crypto.module';
import { GatewayModule } from '../gateway/gateway.module';
import { FileBatchWorker } from './file-batch-worker.service';
import { FileBatchesController } from './file-batches.controller';
import { FileBatchesService } from './file-batches.service';

/** Spec: File Batch. Rows run through the gateway's own transaction path (TransactionsService). */
@Module({
  imports: [CryptoModule, GatewayModule],
  controllers: [FileBatchesController],
  providers: [FileBatchesService, FileBatchWorker],
  exports: [FileBatchWorker],
})
export class FileBatchesModule {}
