import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { FieldCipher } from './field-cipher';

/** The field cipher for values encrypted at rest (docs/security.md). */
@Global()
@Module({
  providers: [
    {
      provide: FieldCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => FieldCipher.fromConfig(config),
    },
  ],
  exports: [FieldCipher],
})
export class CryptoModule {}
