import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../platform/config/config';

/**
 * Where customers reach the hosted invoice pages: PUBLIC_BASE_URL, or
 * http://localhost:<PORT> when it is not set. The links go into emails written long after
 * the request that caused them, so they cannot come from a request's Host header.
 */
@Injectable()
export class HostedUrls {
  private override: string | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  base(): string {
    const base =
      this.override ?? this.config.publicBaseUrl ?? `http://localhost:${this.config.port}`;
    return base.replace(/\/+$/, '');
  }

  /** For a server that learns its address only once listening (tests on port 0). */
  setBase(url: string): void {
    this.override = url;
  }

  invoicePage(publicToken: string): string {
    return `${this.base()}/invoice/${publicToken}`;
  }
}
