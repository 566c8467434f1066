/**
 * The OpenAPI document: built by @nestjs/swagger from the controllers and their route
 * declarations (route-schema.ts), then completed here: OpenAPI 3.1 (so the declarations' JSON
 * Schema passes through unchanged), the shared Failure schema, tags per domain, and the
 * security of each operation from its declared `auth`.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Failure } from './route-schema';

export const API_VERSION = '1.5.1';

/** Tags per domain, in the document's order. */
const TAGS: [string, string][] = [
  ['users', 'the merchant’s users and API keys'],
  ['partner', 'merchants (tenants), with the partner key'],
  ['processors', 'a merchant’s processors: tax and fee settings, fee program, gateway'],
  ['calculation', 'amounts, surcharges and fees, computed without charging'],
  ['recurring', 'add-ons, discounts, plans and subscriptions'],
  ['billing', 'the billing run'],
  ['invoices', 'invoices and their emails'],
  [
    'hosted pages',
    'the pages a customer opens from an invoice email: no API key, the token is the credential',
  ],
  ['customer vault', 'customers, addresses and payment methods'],
  ['transactions', 'charges, refunds and voids'],
  ['terminals', 'terminals and card-present sales'],
  ['settlement', 'settlement batches'],
  ['file batch', 'CSV files of transactions, processed in the background'],
  ['tokenizer', 'card tokenization for browsers'],
  ['events', 'the event log'],
  ['webhooks', 'webhook endpoints and their signed deliveries'],
  ['payments', 'the payments API (/v1): x-api-key and x-account-id'],
  ['system', 'health and metrics'],
];

/** Security requirements by the `auth` a route declares (x-rebill-auth). */
function securityFor(auth: string, path: string): Record<string, string[]>[] {
  if (path.startsWith('/v1/')) return [{ payments_api_key: [] }];
  switch (auth) {
    case 'none':
      return [];
    case 'partner':
      return [{ partner_key: [] }];
    case 'public_or_private':
      return [{ api_key: [] }, { public_key: [] }, { bearer_jwt: [] }];
    default:
      return [{ api_key: [] }, { bearer_jwt: [] }];
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Rebill API')
    .setDescription(
      'Recurring billing and invoicing, compatible with the gateway API (docs/api-compatibility.md). ' +
        'Every answer is an envelope: {"status":"success","msg":"success","data":...} or ' +
        '{"status":"failed","msg":"..."} whose message names the field and the problem (docs/api-contract.md).',
    )
    .setVersion(API_VERSION)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('http://localhost:3000', 'a local server')
    .addApiKey(
      {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        description: 'a private API key (api_...) in the Authorization header',
      },
      'api_key',
    )
    .addApiKey(
      {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        description: 'a public API key (pub_...), accepted only where the route says so',
      },
      'public_key',
    )
    .addApiKey(
      {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        description: 'the partner key, for creating merchants',
      },
      'partner_key',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a user’s JWT' },
      'bearer_jwt',
    )
    .addApiKey(
      {
        type: 'apiKey',
        name: 'x-api-key',
        in: 'header',
        description: 'the payments API key (/v1 routes), with the x-account-id header',
      },
      'payments_api_key',
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());

  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    Failure: Failure as never,
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as
        (Record<string, unknown> & { tags?: string[]; security?: unknown }) | undefined;
      if (!operation) continue;
      const auth = (operation['x-rebill-auth'] as string | undefined) ?? 'private';
      operation.security = securityFor(auth, path);
      if (!operation.tags || operation.tags.length === 0) operation.tags = ['system'];
    }
  }
  return JSON.parse(JSON.stringify(document)) as OpenAPIObject;
}
