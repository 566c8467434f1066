import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './config/config';
import { ChangeNotifications } from './database/change-notifications';

/** Shared plumbing every domain may inject: the validated configuration, change notifications. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, ChangeNotifications],
      exports: [APP_CONFIG, ChangeNotifications],
    };
  }
}
