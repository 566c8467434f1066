import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../platform/config/config';
import { FieldCipher } from '../platform/crypto/field-cipher';
import { ConflictError } from '../platform/errors/errors';
import { guardedRequest, OutboundHttp } from '../platform/net/outbound-guard';
import type { Processor } from '../processors/processor.entity';
import type { PaymentGateway } from './gateway';
import { openGatewayApiKey } from './gateway-credentials';
import { HttpGateway, HttpGatewayOptions } from './http/http.gateway';
import { SandboxGateway } from './sandbox/sandbox.gateway';
import { TransactionsService } from './transactions/transactions.service';
import { VaultService } from './vault/vault.service';

/** The gateway a processor charges through: Rebill's sandbox, or a URL speaking the spec. */
@Injectable()
export class GatewayFactory {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly vault: VaultService,
    private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.http = guardedRequest(config.outboundAllowPrivate);
  }

  /** Connections to a merchant's gateway URL never reach internal addresses (outbound guard). */
  private readonly http: OutboundHttp;

  forProcessor(
    processor: Processor,
    httpOptions: Partial<HttpGatewayOptions> = {},
  ): PaymentGateway {
    if (processor.gatewayKind === 'sandbox') {
      return new SandboxGateway(processor, this.transactions, this.vault);
    }
    if (processor.gatewayBaseUrl === null) {
      throw new ConflictError(`processor ${processor.id} is an http gateway without a base URL`);
    }
    const apiKey = openGatewayApiKey(this.cipher, processor);
    if (apiKey === null) {
      throw new ConflictError(`processor ${processor.id} is an http gateway without an API key`);
    }
    return new HttpGateway(processor.id, processor.gatewayBaseUrl.replace(/\/+$/, ''), apiKey, {
      http: this.http,
      ...httpOptions,
    });
  }
}
