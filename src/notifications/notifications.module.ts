import { Global, Logger, Module } from '@nestjs/common';
import path from 'node:path';
import { APP_CONFIG, AppConfig } from '../platform/config/config';
import {
  DEFAULT_FROM_ADDRESS,
  FileMailer,
  Mailer,
  MAILER,
  SmtpMailer,
  splitSmtpUrl,
} from './mailer';
import { MAIL_FROM } from './notifications.tokens';
import { OutboxService } from './outbox.service';
import { OutboxWorker } from './outbox-worker.service';

function mailerFor(config: AppConfig): Mailer {
  if (config.smtpUrl) return new SmtpMailer(splitSmtpUrl(config.smtpUrl).transportUrl);
  const directory = path.resolve(config.dataDir, 'mail');
  new Logger('Notifications').log(`SMTP_URL is not set: email is written to ${directory}`);
  return new FileMailer(directory);
}

/** The email outbox (OutboxService.enqueue) and the worker that delivers it (docs/email.md). */
@Global()
@Module({
  providers: [
    { provide: MAILER, useFactory: mailerFor, inject: [APP_CONFIG] },
    {
      provide: MAIL_FROM,
      useFactory: (config: AppConfig) =>
        (config.smtpUrl ? splitSmtpUrl(config.smtpUrl).from : null) ?? DEFAULT_FROM_ADDRESS,
      inject: [APP_CONFIG],
    },
    OutboxService,
    OutboxWorker,
  ],
  exports: [OutboxService, OutboxWorker],
})
export class NotificationsModule {}
