import 'reflect-metadata';
import { request as httpRequest } from 'node:http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccountsService } from '../../src/accounts/accounts.service';
import { createApp } from '../../src/app.factory';
import { SettableClock } from '../../src/platform/clock/clock';
import { loadConfig } from '../../src/platform/config/config';
import { checkAgainstContract } from './api-contract';

export const PARTNER_KEY = 'partner_e2e_test_key_0123456789abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  clock: SettableClock;
  databaseUrl: string;
  close(): Promise<void>;
}

/** The real application on a real port, over the run's PostgreSQL database, with a settable clock. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = process.env.REBILL_TEST_DATABASE_URL;
  if (!databaseUrl)
    throw new Error('REBILL_TEST_DATABASE_URL is not set: run the e2e tests through jest');
  const config = loadConfig({
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    PARTNER_API_KEY: PARTNER_KEY,
    // Test gateways and receivers listen on loopback; the guard itself is tested with this off.
    REBILL_OUTBOUND_ALLOW_PRIVATE: 'true',
    ...env,
  });
  const clock = new SettableClock();
  const app = await createApp({ config, databaseUrl, clock, scheduler: false });
  await app.get(AccountsService).ensurePartnerKey(PARTNER_KEY);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, baseUrl: `http://127.0.0.1:${port}`, clock, databaseUrl, close: () => app.close() };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * fetch, with the answer checked against the OpenAPI document like the Api client's: for the
 * pages and files a browser loads (hosted invoice pages, PDFs). The body is left unread.
 */
export async function checkedFetch(
  baseUrl: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const res = await fetch(`${baseUrl}${path}`, init);
  const contentType = res.headers.get('content-type');
  let body: unknown;
  if (contentType?.includes('application/json')) {
    const text = await res.clone().text();
    body = text === '' ? undefined : JSON.parse(text);
  }
  await checkAgainstContract(baseUrl, init.method ?? 'GET', path, res.status, contentType, body);
  return res;
}

/** A small HTTP client: real requests over loopback. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key?: string,
  ) {}

  withKey(key: string | undefined): Api {
    return new Api(this.baseUrl, key);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.key !== undefined) h.authorization = this.key;
    let payload: string | undefined;
    if (body !== undefined) {
      h['content-type'] = h['content-type'] ?? 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response =
      payload !== undefined && (method === 'GET' || method === 'HEAD')
        ? await this.rawRequest<T>(method, path, payload, h)
        : await this.fetchRequest<T>(method, path, payload, h);
    // Every answer is checked against the OpenAPI document (test/support/api-contract.ts).
    await checkAgainstContract(
      this.baseUrl,
      method,
      path,
      response.status,
      response.headers.get('content-type'),
      response.body,
    );
    return response;
  }

  private async fetchRequest<T>(
    method: string,
    path: string,
    payload: string | undefined,
    h: Record<string, string>,
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON (pages, metrics)
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /** fetch refuses a body on GET; existing clients send one, so send it with node:http. */
  private rawRequest<T>(
    method: string,
    path: string,
    payload: string,
    headers: Record<string, string>,
  ) {
    return new Promise<ApiResponse<T>>((resolve, reject) => {
      const req = httpRequest(
        `${this.baseUrl}${path}`,
        { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const responseHeaders = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              if (typeof v === 'string') responseHeaders.set(k, v);
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: parsed as T });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body ?? {}, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }
}

export interface TestMerchant {
  id: string;
  userId: string;
  privateKey: string;
  publicKey: string;
  api: Api;
}

let merchantCounter = 0;

/** A new merchant created through the partner endpoint, with an Api bound to its private key. */
export async function createMerchant(
  baseUrl: string,
  timezone = 'UTC',
  options: { locale?: string; name?: string } = {},
): Promise<TestMerchant> {
  merchantCounter++;
  const res = await new Api(baseUrl, PARTNER_KEY).post('/api/partner/merchants', {
    name: options.name ?? `Test Merchant ${merchantCounter}`,
    timezone,
    ...(options.locale === undefined ? {} : { locale: options.locale }),
  });
  if (res.status !== 200)
    throw new Error(`creating a merchant failed: ${res.status} ${JSON.stringify(res.body)}`);
  const data = res.body.data;
  return {
    id: data.id,
    userId: data.user.id,
    privateKey: data.api_keys.private.api_key,
    publicKey: data.api_keys.public.api_key,
    api: new Api(baseUrl, data.api_keys.private.api_key),
  };
}
