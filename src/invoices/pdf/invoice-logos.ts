import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { APP_CONFIG, AppConfig } from '../../platform/config/config';
import { assertPublicHttpUrl, guardedFetch } from '../../platform/net/outbound-guard';
import { InvoiceLogo } from './invoice-logo.entity';

/**
 * Limits of a logo fetch: an invoice PDF never waits long or reads much for a logo. A failed
 * fetch is tried again after a day (the merchant may have fixed its server); a logo that
 * was fetched is kept.
 */
export const LOGO_LIMITS = {
  timeoutMs: 3000,
  maxBytes: 512 * 1024,
  retryFailureAfterMs: 86_400_000,
};

/** PNG and JPEG are what PDFKit embeds; the bytes decide, not the server's content-type. */
export function imageTypeOf(bytes: Buffer): 'image/png' | 'image/jpeg' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Reads at most `max` bytes of a response body; null when it is longer. */
async function readLimited(response: Response, max: number): Promise<Buffer | null> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > max) return null;
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/**
 * Merchant logos for invoice PDFs (`company_logo_url`). Each (merchant, URL) is fetched
 * once, through the outbound address guard (never a loopback, link-local or private
 * address unless REBILL_OUTBOUND_ALLOW_PRIVATE), within LOGO_LIMITS, and the outcome is
 * kept, success or failure: a slow or broken logo host costs one fetch, not one per PDF.
 * A merchant that changes its logo gives a new URL, which is fetched once in turn.
 */
@Injectable()
export class InvoiceLogos {
  private readonly log = new Logger(InvoiceLogos.name);
  private readonly fetch: typeof fetch;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.fetch = guardedFetch(config.outboundAllowPrivate);
  }

  /** The logo's PNG or JPEG bytes, or null when there is none to show. */
  async logoFor(merchantId: string, url: string): Promise<Buffer | null> {
    if (url === '') return null;
    const repo = this.dataSource.getRepository(InvoiceLogo);
    const known = await repo.findOneBy({ merchantId, url });
    const now = this.clock.now();
    const stale =
      known !== null &&
      known.image === null &&
      now.getTime() - known.fetchedAt.getTime() >= LOGO_LIMITS.retryFailureAfterMs;
    if (known && !stale) return known.image;
    const outcome = await this.download(url);
    if (outcome.failure !== '')
      this.log.warn(`logo ${url} of merchant ${merchantId}: ${outcome.failure}`);
    const row = {
      merchantId,
      url,
      contentType: outcome.contentType,
      image: outcome.image,
      failure: outcome.failure,
      fetchedAt: now,
    };
    if (stale) {
      await repo.update({ merchantId, url }, row);
    } else {
      // Two PDFs rendered at once may both fetch; the first outcome stored is kept.
      await repo.createQueryBuilder().insert().values(row).orIgnore().execute();
    }
    return outcome.image;
  }

  private async download(
    url: string,
  ): Promise<{ image: Buffer | null; contentType: string; failure: string }> {
    const failed = (failure: string) => ({ image: null, contentType: '', failure });
    try {
      assertPublicHttpUrl(url, 'company_logo_url', this.config.outboundAllowPrivate);
    } catch (err) {
      return failed((err as Error).message);
    }
    try {
      const response = await this.fetch(url, {
        redirect: 'manual',
        signal: AbortSignal.timeout(LOGO_LIMITS.timeoutMs),
        headers: { accept: 'image/png, image/jpeg' },
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        return failed(`answered HTTP ${response.status}`);
      }
      const bytes = await readLimited(response, LOGO_LIMITS.maxBytes);
      if (bytes === null) return failed(`is larger than ${LOGO_LIMITS.maxBytes} bytes`);
      const type = imageTypeOf(bytes);
      if (type === null) return failed('is not a PNG or JPEG image');
      return { image: bytes, contentType: type, failure: '' };
    } catch (err) {
      const e = err as Error & { cause?: { message?: string } };
      if (e.name === 'TimeoutError')
        return failed(`did not answer within ${LOGO_LIMITS.timeoutMs} ms`);
      return failed(e.cause?.message ?? e.message);
    }
  }
}
