/** Users, API keys and merchants (spec: Users, Api Keys; the partner endpoint is Rebill's). */
import {
  DateTime,
  Enum,
  Id,
  Input,
  Output,
  route,
  Str,
  Success,
  SuccessWithoutData,
  SuccessList,
  Type,
} from '../platform/http/route-schema';

export const UserView = Output(
  {
    id: Id(),
    username: Type.String(),
    name: Type.String(),
    phone: Type.String(),
    email: Type.String(),
    timezone: Type.String({ example: 'America/Chicago' }),
    status: Type.String({ example: 'active' }),
    role: Type.String({ example: 'admin' }),
    account_type: Type.String({ example: 'merchant' }),
    account_type_id: Id(),
    created_at: DateTime(),
    updated_at: DateTime(),
  },
  { title: 'User' },
);

export const ApiKeyView = Output(
  {
    id: Id(),
    user_id: Id(),
    type: Enum(['api', 'public'] as const),
    name: Type.String(),
    api_key: Type.String({
      description: 'the whole key only in the answer that created it; masked afterwards',
    }),
    created_at: DateTime(),
    updated_at: DateTime(),
  },
  { title: 'ApiKey' },
);

export const MerchantView = Output(
  {
    id: Id(),
    name: Type.String(),
    timezone: Type.String(),
    locale: Type.String({ example: 'en-US' }),
    created_at: DateTime(),
    updated_at: DateTime(),
  },
  { title: 'Merchant' },
);

const nonEmptyName = (max: number, problem: string) =>
  Str(max, {
    minLength: 1,
    'x-errors': {
      required: `invalid {field}: ${problem}`,
      type: `invalid {field}: ${problem}`,
      minLength: `invalid {field}: ${problem}`,
      maxLength: `invalid {field}: ${problem}`,
    },
  });

export const ACCOUNT_ROUTES = {
  currentUser: route({
    summary: 'The user the key belongs to',
    auth: 'public_or_private',
    responses: { 200: Success(UserView) },
    errors: [404],
  }),
  createApiKey: route({
    summary: 'Create an API key (the whole key is shown once)',
    body: Input({
      type: Enum(['api', 'public'] as const, {
        'x-errors': {
          type: 'invalid {field}: must be "api" (private) or "public"',
          enum: 'invalid {field}: must be "api" (private) or "public"',
          required: 'invalid {field}: must be "api" (private) or "public"',
        },
      }),
      name: nonEmptyName(100, 'is required: a string of 1 to 100 characters'),
    }),
    responses: { 200: Success(ApiKeyView) },
    errors: [404],
    idempotent: true,
    examples: { body: { type: 'api', name: 'Private Key' } },
  }),
  listApiKeys: route({
    summary: "The merchant's API keys, masked",
    responses: { 200: SuccessList(ApiKeyView) },
  }),
  deleteApiKey: route({
    summary: 'Delete an API key: it stops working at once',
    params: Input({ key: Type.String({ maxLength: 200, description: 'the key or its id' }) }),
    responses: { 200: SuccessWithoutData },
    errors: [404],
  }),
  createMerchant: route({
    summary: 'Create a merchant with its first user, a private and a public key',
    auth: 'partner',
    body: Input({
      name: nonEmptyName(
        200,
        'is required and must be a non-empty string of at most 200 characters',
      ),
      timezone: Type.Optional(
        Str(100, {
          description: 'IANA time zone of the merchant; UTC when absent',
          example: 'America/Chicago',
        }),
      ),
      locale: Type.Optional(
        Str(35, {
          description:
            'BCP 47 locale its invoices, pages, PDFs and emails format amounts and dates in; en-US when absent',
          example: 'de-DE',
        }),
      ),
    }),
    responses: {
      200: Success(
        Output({
          ...MerchantView.properties,
          user: UserView,
          api_keys: Output({ private: ApiKeyView, public: ApiKeyView }),
        }),
      ),
    },
    idempotent: true,
    examples: { body: { name: 'Acme', timezone: 'America/Chicago' } },
  }),
};
