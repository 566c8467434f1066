import { assertPublicHttpUrl, guardedFetch } from '../platform/net/outbound-guard';

/** How long a receiver has to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How much of a response body is read (and kept as the attempt's excerpt). */
export const RESPONSE_LIMIT_BYTES = 1024;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookResponse {
  /** null when no HTTP answer came (refused address, connection error, timeout). */
  statusCode: number | null;
  error: string | null;
  excerpt: string;
  durationMs: number;
}

/**
 * Sends one webhook POST. Only http(s); private addresses are refused (unless allowed) both
 * when the URL is checked and when the connection is made (guardedFetch's lookup), since a
 * public name can resolve to an internal address. Redirects are never followed (a 3xx is a
 * failed delivery), and at most RESPONSE_LIMIT_BYTES of the answer are read.
 */
export class WebhookSender {
  private readonly fetch: typeof fetch;

  constructor(private readonly allowPrivate: boolean) {
    this.fetch = guardedFetch(allowPrivate);
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    // Elapsed time of one request, not domain time: the clock is not involved.
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      assertPublicHttpUrl(request.url, 'url', this.allowPrivate);
    } catch (err) {
      return { statusCode: null, error: (err as Error).message, excerpt: '', durationMs: 0 };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), DELIVERY_TIMEOUT_MS);
    try {
      const res = await this.fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      const excerpt = await readLimited(res, RESPONSE_LIMIT_BYTES);
      return { statusCode: res.status, error: null, excerpt, durationMs: elapsed() };
    } catch (err) {
      const e = err as Error & { cause?: { message?: string; code?: string } };
      const message = controller.signal.aborted
        ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
        : (e.cause?.message ?? e.message);
      return { statusCode: null, error: message.slice(0, 500), excerpt: '', durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Reads at most `limit` bytes of the body, then drops the rest of the stream. */
async function readLimited(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
