import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AttemptLookup,
  AttemptQuery,
  ChargeOutcome,
  ChargeRequest,
  FollowUpOutcome,
  GatewayCustomer,
  GatewayTransaction,
  PaymentGateway,
  VaultCustomerInput,
  VaultOutcome,
} from '../gateway';
import {
  chargeBody,
  ChargeType,
  customerFrom,
  gatewayTransactionFrom,
  outcomeFromTransaction,
  refusedOutcome,
  unknownOutcome,
  vaultCustomerBody,
} from '../spec-mapping';
import type { OutboundHttp } from '../../platform/net/outbound-guard';

type Json = Record<string, unknown>;

export interface HttpGatewayOptions {
  /** How long one request may take, answer included. */
  timeoutMs: number;
  /** Extra tries for a request that provably never left (connection refused, DNS) or got 429. */
  retries: number;
  /** Pause before a retry; doubled each time. */
  retryDelayMs: number;
  /** Injected in tests; the global fetch otherwise (when `http` is not given). */
  fetch?: typeof fetch;
  /** The cheaper transport the factory gives (undici's request(), outbound guard): preferred. */
  http?: OutboundHttp;
}

export const DEFAULT_HTTP_GATEWAY_OPTIONS: HttpGatewayOptions = {
  timeoutMs: 30_000,
  retries: 2,
  retryDelayMs: 250,
};

/**
 * How far before the attempt's start a search looks: the gateway's duplicate window (an
 * earlier use of the key within it is what the gateway answered this attempt with), which
 * also absorbs clocks that disagree by a few minutes.
 */
const SEARCH_MARGIN_MS = 5 * 60 * 1000;

/** Errors raised before any byte of the request can have reached the gateway. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // The outbound guard refused the address before connecting.
  'EADDRNOTPUBLIC',
]);

type HttpResult =
  | { kind: 'response'; status: number; body: Json | null }
  /** The request never reached the gateway. */
  | { kind: 'not_sent'; reason: string }
  /** The request may have reached the gateway; no answer came back. */
  | { kind: 'lost'; reason: string };

/**
 * A PaymentGateway over HTTP, for any server speaking the gateway API (base URL and API
 * key from the processor's configuration). It sends exactly the spec's request bodies and
 * reads the spec's responses.
 *
 * Retries never risk a second charge: a charge, capture, void or refund is sent again only
 * when it provably never arrived (connection refused, DNS failure) or was turned away with
 * 429. A timeout or a connection lost after sending leaves the outcome `unknown`; the
 * caller resolves it with `findAttempt`, which searches the gateway for the attempt's
 * idempotency key or order id. Reads are retried on any network failure.
 */
export class HttpGateway implements PaymentGateway {
  readonly kind = 'http' as const;
  private readonly options: HttpGatewayOptions;

  constructor(
    readonly processorId: string,
    private readonly baseUrl: string,
    private readonly apiKey: string,
    options: Partial<HttpGatewayOptions> = {},
  ) {
    this.options = { ...DEFAULT_HTTP_GATEWAY_OPTIONS, ...options };
  }

  sale(request: ChargeRequest): Promise<ChargeOutcome> {
    return this.charge('sale', request);
  }

  authorize(request: ChargeRequest): Promise<ChargeOutcome> {
    return this.charge('authorize', request);
  }

  verify(request: Omit<ChargeRequest, 'amount'>): Promise<ChargeOutcome> {
    return this.charge('verification', { ...request, amount: 0 });
  }

  credit(request: ChargeRequest): Promise<ChargeOutcome> {
    return this.charge('credit', request);
  }

  private async charge(type: ChargeType, request: ChargeRequest): Promise<ChargeOutcome> {
    // The remote gateway charges through its own default processor: no processor_id is sent.
    const result = await this.send(
      'POST',
      '/api/transaction',
      chargeBody(type, request),
      false,
      request.idempotencyKey,
    );
    if (result.kind === 'not_sent') {
      return refusedOutcome(
        request.amount,
        429,
        `could not reach the gateway (${result.reason}); nothing was charged`,
      );
    }
    if (result.kind === 'lost') return unknownOutcome(request.amount, result.reason);
    if (result.status >= 500) return unknownOutcome(request.amount, `http_${result.status}`);
    if (result.status >= 400 || result.body === null) {
      if (result.status < 400) return unknownOutcome(request.amount, 'bad_response');
      return refusedOutcome(request.amount, result.status, messageOf(result.body, result.status));
    }
    const data = result.body.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      return unknownOutcome(request.amount, 'bad_response');
    }
    return outcomeFromTransaction(data as Json, request.amount);
  }

  capture(transactionId: string, amount?: number): Promise<FollowUpOutcome> {
    return this.followUp(
      `/api/transaction/${encodeURIComponent(transactionId)}/capture`,
      amount === undefined ? {} : { amount },
    );
  }

  void(transactionId: string): Promise<FollowUpOutcome> {
    return this.followUp(`/api/transaction/${encodeURIComponent(transactionId)}/void`, {});
  }

  refund(transactionId: string, amount?: number): Promise<FollowUpOutcome> {
    return this.followUp(
      `/api/transaction/${encodeURIComponent(transactionId)}/refund`,
      amount === undefined ? {} : { amount },
    );
  }

  private async followUp(path: string, body: Json): Promise<FollowUpOutcome> {
    const result = await this.send('POST', path, body, false);
    if (result.kind === 'not_sent')
      return {
        kind: 'refused',
        httpStatus: 0,
        message: `could not reach the gateway (${result.reason})`,
      };
    if (result.kind === 'lost') return { kind: 'unknown', reason: result.reason };
    if (result.status >= 500) return { kind: 'unknown', reason: `http_${result.status}` };
    if (result.status >= 400) {
      return {
        kind: 'refused',
        httpStatus: result.status,
        message: messageOf(result.body, result.status),
      };
    }
    const data = result.body?.data;
    return {
      kind: 'done',
      transaction:
        data !== null && typeof data === 'object' && !Array.isArray(data)
          ? gatewayTransactionFrom(data as Json)
          : null,
    };
  }

  async getTransaction(transactionId: string): Promise<GatewayTransaction | null> {
    const result = await this.send(
      'GET',
      `/api/transaction/${encodeURIComponent(transactionId)}`,
      undefined,
      true,
    );
    if (result.kind === 'response' && result.status === 404) return null;
    if (result.kind !== 'response' || result.status !== 200) {
      throw new Error(
        `the gateway could not be asked for transaction ${transactionId}: ${describe(result)}`,
      );
    }
    const data = result.body?.data;
    // The spec answers with `data` as a one-element array.
    const first = Array.isArray(data) ? data[0] : data;
    return first !== null && typeof first === 'object'
      ? gatewayTransactionFrom(first as Json)
      : null;
  }

  /**
   * Searches the gateway for the attempt: by order id when there is one (a spec search
   * field), otherwise by amount, both since shortly before the attempt started. A match is
   * a transaction carrying the attempt's idempotency key; a gateway that does not echo
   * keys is matched by order id, amount and type, and only when exactly one transaction fits.
   */
  async findAttempt(query: AttemptQuery): Promise<AttemptLookup> {
    const criteria: Json = {
      created_at: { start_date: utcSeconds(new Date(query.since.getTime() - SEARCH_MARGIN_MS)) },
      limit: 100,
    };
    if (query.orderId !== undefined && query.orderId !== '') {
      criteria.order_id = { operator: '=', value: query.orderId };
    } else {
      criteria.amount = { operator: '=', value: query.amount };
    }
    const result = await this.send('POST', '/api/transaction/search', criteria, true);
    if (result.kind !== 'response' || result.status !== 200 || !Array.isArray(result.body?.data)) {
      return { kind: 'unresolved', reason: `search failed: ${describe(result)}` };
    }
    const rows = (result.body.data as unknown[]).filter(
      (r): r is Json => r !== null && typeof r === 'object',
    );
    const byKey = rows.filter((r) => r.idempotency_key === query.idempotencyKey);
    if (byKey.length > 0) {
      // The earliest: the transaction the key first produced.
      const first = byKey.sort((a, b) =>
        String(a.created_at).localeCompare(String(b.created_at)),
      )[0];
      return { kind: 'found', outcome: outcomeFromTransaction(first, query.amount) };
    }
    if (rows.length === 0) return { kind: 'not_found' };
    // A gateway that echoes keys (Rebill does) has no transaction for this one.
    if (rows.some((r) => 'idempotency_key' in r)) return { kind: 'not_found' };
    if (query.orderId === undefined || query.orderId === '') {
      return {
        kind: 'unresolved',
        reason: 'the gateway does not echo idempotency keys and the attempt has no order id',
      };
    }
    const candidates = rows.filter(
      (r) =>
        r.order_id === query.orderId &&
        r.amount === query.amount &&
        (r.type === 'sale' ||
          r.type === 'authorize' ||
          r.type === 'verification' ||
          r.type === 'credit'),
    );
    if (candidates.length === 1)
      return { kind: 'found', outcome: outcomeFromTransaction(candidates[0], query.amount) };
    if (candidates.length === 0) return { kind: 'not_found' };
    return {
      kind: 'unresolved',
      reason: `${candidates.length} transactions match the order id and amount`,
    };
  }

  async createCustomer(input: VaultCustomerInput): Promise<VaultOutcome<GatewayCustomer>> {
    // Creating a customer twice is harmless to money, but a custom id makes it safe to retry.
    const result = await this.send('POST', '/api/vault/customer', vaultCustomerBody(input), false);
    if (result.kind === 'not_sent' || result.kind === 'lost')
      return { kind: 'unknown', reason: result.reason };
    if (result.status >= 500) return { kind: 'unknown', reason: `http_${result.status}` };
    if (result.status >= 400) {
      return {
        kind: 'refused',
        httpStatus: result.status,
        message: messageOf(result.body, result.status),
      };
    }
    const data = result.body?.data;
    if (data === null || typeof data !== 'object')
      return { kind: 'unknown', reason: 'bad_response' };
    return { kind: 'done', value: customerFrom(data as Json) };
  }

  async getCustomer(customerId: string): Promise<GatewayCustomer | null> {
    const result = await this.send(
      'GET',
      `/api/vault/${encodeURIComponent(customerId)}`,
      undefined,
      true,
    );
    if (result.kind === 'response' && result.status === 404) return null;
    if (
      result.kind !== 'response' ||
      result.status !== 200 ||
      typeof result.body?.data !== 'object'
    ) {
      throw new Error(
        `the gateway could not be asked for customer ${customerId}: ${describe(result)}`,
      );
    }
    return customerFrom(result.body.data as Json);
  }

  /**
   * One request with the retry rules above. `read` marks requests that change nothing,
   * which may be retried after any failure.
   */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    body: Json | undefined,
    read: boolean,
    correlationId?: string,
  ): Promise<HttpResult> {
    let delay = this.options.retryDelayMs;
    let result: HttpResult = { kind: 'not_sent', reason: 'not tried' };
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) {
        await sleep(delay);
        delay *= 2;
      }
      result = await this.once(method, path, body, correlationId);
      const retryable =
        result.kind === 'not_sent' ||
        (result.kind === 'response' && result.status === 429) ||
        (read && (result.kind === 'lost' || (result.kind === 'response' && result.status >= 500)));
      if (!retryable) return result;
    }
    return result;
  }

  private async once(
    method: string,
    path: string,
    body: Json | undefined,
    correlationId?: string,
  ): Promise<HttpResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const headers: Record<string, string> = {
      authorization: this.apiKey,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (correlationId !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(correlationId)) {
      headers['x-correlation-id'] = correlationId;
    }
    try {
      const { status, text } = await this.exchange(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      let parsed: Json | null = null;
      try {
        const value: unknown = JSON.parse(text);
        if (value !== null && typeof value === 'object' && !Array.isArray(value))
          parsed = value as Json;
      } catch {
        parsed = null;
      }
      return { kind: 'response', status, body: parsed };
    } catch (err) {
      return classifyFailure(err, controller.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The request and its whole answer, through the transport given (else fetch). */
  private async exchange(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
  ): Promise<{ status: number; text: string }> {
    if (this.options.http) return this.options.http(url, init);
    const response = await (this.options.fetch ?? fetch)(url, init);
    return { status: response.status, text: await response.text() };
  }
}

function classifyFailure(err: unknown, timedOut: boolean): HttpResult {
  if (timedOut) return { kind: 'lost', reason: 'timeout' };
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  const code = String(cause?.code ?? (err as { code?: unknown })?.code ?? '');
  if (NOT_SENT_CODES.has(code)) return { kind: 'not_sent', reason: code };
  return { kind: 'lost', reason: code === '' ? 'connection_lost' : `connection_lost:${code}` };
}

function messageOf(body: Json | null, status: number): string {
  const msg = body?.msg;
  return typeof msg === 'string' && msg !== '' ? msg : `the gateway answered HTTP ${status}`;
}

function describe(result: HttpResult): string {
  return result.kind === 'response' ? `HTTP ${result.status}` : result.reason;
}

/** "YYYY-MM-DDTHH:II:SSZ", the spec's search date form. */
function utcSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
