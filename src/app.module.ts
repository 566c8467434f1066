import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { ProcessorsModule } from './processors/processors.module';
import { GatewayModule } from './gateway/gateway.module';
import { CalculationModule } from './calculation/calculation.module';
import { PlansModule } from './plans/plans.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { NotificationsModule } from './notifications/notifications.module';
import { InvoicesModule } from './invoices/invoices.module';
import { BillingModule } from './billing/billing.module';
import { CreditsModule } from './credits/credits.module';
import { SubscriptionChangesModule } from './subscription-changes/subscription-changes.module';
import { EventsModule } from './events/events.module';
import { FileBatchesModule } from './file-batches/file-batches.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { PaymentsModule } from './payments/payments.module';
import { LedgerModule } from './ledger/ledger.module';
import { ApiKeyGuard } from './platform/auth/api-key.guard';
import { AuthModule } from './platform/auth/auth.module';
import { Clock } from './platform/clock/clock';
import { ClockModule } from './platform/clock/clock.module';
import { AppConfig } from './platform/config/config';
import { dataSourceOptions } from './platform/database/data-source-options';
import { GlobalExceptionFilter } from './platform/errors/global-exception.filter';
import { HealthController } from './platform/health/health.controller';
import { RequestValidationGuard } from './platform/http/schema-validation';
import { IdempotencyGuard } from './platform/idempotency/idempotency.guard';
import { IdempotencyService } from './platform/idempotency/idempotency.service';
import { loggerParams } from './platform/logging/logger';
import { PlatformModule } from './platform/platform.module';

export interface AppOptions {
  config: AppConfig;
  databaseUrl: string;
  clock?: Clock;
  /** Background timers (sweeps, the nightly run); off in tests that drive them by hand. */
  scheduler?: boolean;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(options.config)),
        ClockModule.forRoot(options.clock),
        PlatformModule.forRoot(options.config),
        AuthModule,
        TypeOrmModule.forRoot(
          dataSourceOptions(options.databaseUrl, options.config.databasePoolSize),
        ),
        ...(options.scheduler === false ? [] : [ScheduleModule.forRoot()]),
        AccountsModule,
        ProcessorsModule,
        GatewayModule,
        CalculationModule,
        PlansModule,
        SubscriptionsModule,
        NotificationsModule,
        InvoicesModule,
        BillingModule,
        CreditsModule,
        SubscriptionChangesModule,
        EventsModule,
        FileBatchesModule,
        WebhooksModule,
        PaymentsModule,
        LedgerModule,
      ],
      controllers: [HealthController],
      providers: [
        IdempotencyService,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // After authentication: the route schema's validation error, if any (schema-validation.ts).
        { provide: APP_GUARD, useClass: RequestValidationGuard },
        // Last: x-idempotency-key, claimed once the caller and the request are known to be
        // valid (idempotency.guard.ts). No global interceptor: none runs on any request.
        { provide: APP_GUARD, useClass: IdempotencyGuard },
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
      ],
    };
  }
}
