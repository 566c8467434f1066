import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CryptoModule } from '../platform/crypto/crypto.module';
import { DeliveryQueue } from './delivery-queue';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookWorker } from './webhook-worker.service';
import { WebhooksController } from './webhooks.controller';

/** Webhook endpoints, the deliveries every recorded event creates, and their worker (docs/webhooks.md). */
@Module({
  imports: [AccountsModule, CryptoModule],
  controllers: [WebhooksController],
  providers: [DeliveryQueue, WebhookEndpointsService, WebhookWorker],
  exports: [WebhookWorker, WebhookEndpointsService],
})
export class WebhooksModule {}
