import { Api, ApiResponse, TestMerchant } from './test-app';

/** A client of the payments API (/v1): x-api-key and x-account-id instead of Authorization. */
export class V1Api {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string | undefined,
    readonly accountId: string | undefined,
    readonly extraHeaders: Record<string, string> = {},
  ) {}

  static of(m: TestMerchant, baseUrl: string): V1Api {
    return new V1Api(baseUrl, m.privateKey, m.id);
  }

  with(headers: Record<string, string>): V1Api {
    return new V1Api(this.baseUrl, this.apiKey, this.accountId, {
      ...this.extraHeaders,
      ...headers,
    });
  }

  /** Another key; `accountId` null sends no x-account-id. */
  withKey(key: string | undefined, accountId: string | null = this.accountId ?? null): V1Api {
    return new V1Api(this.baseUrl, key, accountId ?? undefined, this.extraHeaders);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...this.extraHeaders, ...extra };
    if (this.apiKey !== undefined) h['x-api-key'] = this.apiKey;
    if (this.accountId !== undefined) h['x-account-id'] = this.accountId;
    return h;
  }

  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>> {
    return new Api(this.baseUrl).request<T>(method, path, body, this.headers(headers));
  }
  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body ?? {}, headers);
  }
}

export const APPROVED_CARD = '4111111111111111';
export const DECLINED_CARD = '4000000000000002';

export const BILLING = {
  name: 'Jane Doe',
  email: 'jane@example.com',
  address: {
    line1: '1 Main St',
    city: 'Wheaton',
    state: 'IL',
    postal_code: '60187',
    country: 'US',
  },
};

/** A vaulted card as the JS SDK would create it. */
export async function createCard(api: V1Api, number = APPROVED_CARD): Promise<string> {
  const res = await api.post('/v1/payment_methods', {
    payment_method_type: 'card',
    card: { number, exp_month: 12, exp_year: 2039, cvc: '123' },
    billing_details: BILLING,
  });
  if (res.status !== 200)
    throw new Error(`payment method: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
