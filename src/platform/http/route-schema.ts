/**
 * One declaration per route: the request body, query and path parameters and every response,
 * as JSON Schema built with TypeBox. The declaration is at once
 *  - the validation Fastify runs (ajv, compiled once at boot; see ./schema-validation.ts),
 *  - the route's OpenAPI operation (through @nestjs/swagger's decorators),
 *  - the serializer of its responses (fast-json-stringify, compiled once at boot), and
 *  - the TypeScript types of the handler's arguments and result (BodyOf, QueryOf, ParamsOf,
 *    ReplyOf).
 * How to declare a route: docs/api-contract.md.
 */
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import {
  ApiBody,
  ApiExtension,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
} from '@nestjs/swagger';
import {
  Type,
  type Static,
  type TObject,
  type TProperties,
  type TSchema,
  type ObjectOptions,
  type SchemaOptions,
} from '@sinclair/typebox';
import { AUTH_REQUIREMENT, type AuthRequirement } from '../auth/auth.decorators';

export { Type };
export type { Static, TSchema };

// ---------------------------------------------------------------------------------------------
// Error wording. A schema may carry `x-errors`: a message per ajv keyword (`type`, `minimum`,
// `maxLength`, `required`, `not`, ..., and `default` for any other), where `{field}` is the
// field's path as the API writes it (`add_ons[0].id`) and `{value}` the rejected value as the
// core's describeValue renders it. Without one, a generic message names the field.
// ---------------------------------------------------------------------------------------------

export type ErrorMessages = Partial<Record<string, string>>;

export interface FieldOptions extends SchemaOptions {
  'x-errors'?: ErrorMessages;
}

function withErrors<T extends TSchema>(schema: T, errors: ErrorMessages, options?: FieldOptions) {
  const merged = { ...errors, ...options?.['x-errors'] };
  return Object.assign(schema, { 'x-errors': merged }) as T;
}

// ---------------------------------------------------------------------------------------------
// Field helpers: the API's units and conventions, each with the wording today's clients know.
// ---------------------------------------------------------------------------------------------

/** `T | null`: a nullable value (type arrays, so fast-json-stringify stays on its fast path). */
export function Nullable<T extends TSchema>(schema: T) {
  const type = (schema as { type?: string | string[] }).type;
  if (type === undefined) {
    return Type.Union([schema, Type.Null()]) as unknown as ReturnType<
      typeof Type.Unsafe<Static<T> | null>
    >;
  }
  const types = Array.isArray(type) ? type : [type];
  return Type.Unsafe<Static<T> | null>({
    ...schema,
    type: types.includes('null') ? types : [...types, 'null'],
  });
}

/** A request field that may be left out or sent as null, both meaning "not given". */
export function Opt<T extends TSchema>(schema: T) {
  return Type.Optional(Nullable(schema));
}

/** Integer cents, 0 or more (100 = 1.00), a safe integer unless `maximum` says less. */
export function Cents(options: FieldOptions = {}) {
  const maximum = options.maximum as number | undefined;
  return withErrors(
    Type.Integer({
      minimum: 0,
      maximum: maximum ?? Number.MAX_SAFE_INTEGER,
      description: 'amount in cents (100 = 1.00)',
      ...options,
    }),
    {
      type: '{field} must be an integer number of cents (100 = 1.00), got {value}',
      minimum: '{field} must not be negative, got {value}',
      maximum:
        maximum === undefined
          ? '{field} is too large, got {value}'
          : `invalid {field}: must be at most ${maximum} cents`,
    },
    options,
  );
}

/** Integer cents that may be negative (adjustments). */
export function SignedCents(options: FieldOptions = {}) {
  return withErrors(
    Type.Integer({
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'amount in cents (100 = 1.00), may be negative',
      ...options,
    }),
    {
      type: '{field} must be an integer number of cents, got {value}',
      minimum: '{field} is too large, got {value}',
      maximum: '{field} is too large, got {value}',
    },
    options,
  );
}

/** A percentage in thousandths of a percent: 43440 = 43.440%, 0 to 100000. */
export function Thousandths(options: FieldOptions = {}) {
  return withErrors(
    Type.Integer({
      minimum: 0,
      maximum: 100_000,
      description: 'percentage in thousandths of a percent (43440 = 43.440%)',
      ...options,
    }),
    {
      type: '{field} must be a percentage in thousandths as an integer (10000 = 10.000%), got {value}',
      minimum: '{field} must not be negative, got {value}',
      maximum: '{field} must not be above 100.000% (100000 thousandths), got {value}',
    },
    options,
  );
}

/** A string of at most `maxLength` characters. */
export function Str(maxLength: number, options: FieldOptions = {}) {
  return withErrors(
    Type.String({ maxLength, ...options }),
    {
      type: '{field} must be a string, got {value}',
      maxLength: `invalid {field}: must be at most ${maxLength} characters`,
    },
    options,
  );
}

/** One of a fixed set of strings. */
export function Enum<const T extends readonly string[]>(values: T, options: FieldOptions = {}) {
  const list = values.map((v) => `'${v}'`).join(', ');
  return withErrors(
    Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options }),
    {
      type: `{field} must be one of ${list}, got {value}`,
      enum: `{field} must be one of ${list}, got {value}`,
      required: `{field} is required and must be one of ${list}`,
    },
    options,
  );
}

export function Bool(options: FieldOptions = {}) {
  return withErrors(
    Type.Boolean(options),
    { type: '{field} must be true or false, got {value}' },
    options,
  );
}

/** A whole number from `minimum` to `maximum`. */
export function Int(minimum: number, maximum: number, options: FieldOptions = {}) {
  const problem = `invalid {field}: must be a whole number from ${minimum} to ${maximum}, got {value}`;
  return withErrors(
    Type.Integer({ minimum, maximum, ...options }),
    { type: problem, minimum: problem, maximum: problem },
    options,
  );
}

/** A resource id as the API returns it (20 characters of base32hex for most resources). */
export function Id(options: SchemaOptions = {}) {
  return Type.String({ pattern: '^[0-9a-z]{10,40}$', example: 'b94lh3vkq8e1k0c5pbe0', ...options });
}

/** An id given in a request: a string of at most 100 characters. */
export function IdRef(options: FieldOptions = {}) {
  return Str(100, { description: 'the id of an existing resource', ...options });
}

/** An instant, as the API writes it: ISO 8601 in UTC with milliseconds. */
export function DateTime(options: SchemaOptions = {}) {
  return Type.String({ format: 'date-time', example: '2027-01-01T06:00:00.000Z', ...options });
}

/** A calendar date in the merchant's time zone: YYYY-MM-DD. */
export function LocalDate(options: FieldOptions = {}) {
  return withErrors(
    Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: 'a calendar date (YYYY-MM-DD) in the merchant time zone',
      example: '2027-01-01',
      ...options,
    }),
    {
      type: 'invalid {field}: must be a date in the form YYYY-MM-DD, got {value}',
      pattern: 'invalid {field}: must be a date in the form YYYY-MM-DD, got {value}',
    },
    options,
  );
}

/**
 * A request object: unknown fields are ignored (clients of the gateway API send extra fields),
 * every declared field is checked.
 */
export function Input<T extends TProperties>(
  properties: T,
  options: ObjectOptions & FieldOptions = {},
) {
  return withErrors(
    Type.Object(properties, options),
    { type: '{field} must be an object, got {value}' },
    options,
  );
}

/** A response object: exactly the declared fields (the response check fails on any other). */
export function Output<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

// ---------------------------------------------------------------------------------------------
// The envelope.
// ---------------------------------------------------------------------------------------------

/** {"status":"success","msg":"success","data": ...} */
export function Success<T extends TSchema>(data: T, options: ObjectOptions = {}) {
  return Output(
    { status: Type.Literal('success'), msg: Type.String({ example: 'success' }), data },
    options,
  );
}

/** {"status":"success","msg":"success","total_count": n,"data":[...]} */
export function SuccessList<T extends TSchema>(item: T, options: ObjectOptions = {}) {
  return Output(
    {
      status: Type.Literal('success'),
      msg: Type.String({ example: 'success' }),
      total_count: Type.Integer({
        minimum: 0,
        description: 'all matching items, not only this page',
      }),
      data: Type.Array(item),
    },
    options,
  );
}

/** {"status":"success","msg":"success"}: the spec's answer to some deletes, without data. */
export const SuccessWithoutData = Output(
  { status: Type.Literal('success'), msg: Type.String({ example: 'success' }) },
  { title: 'SuccessWithoutData' },
);

/** {"status":"failed","msg":"invalid amount: ..."}: every error, the message names the field. */
export const Failure = Output(
  {
    status: Type.Literal('failed'),
    msg: Type.String({
      example: 'invalid amount: must be an integer number of cents (100 = 1.00)',
    }),
  },
  { title: 'Failure' },
);

/** A response without a body (a redirect: its Location header names the page). */
export const NoBody = Type.Unsafe<never>({ 'x-no-body': true });

/** `limit` and `offset` for lists that page. */
export function PagingQuery(maxLimit = 1000) {
  return Input({
    limit: Type.Optional(Int(1, maxLimit, { description: `at most ${maxLimit}; all when absent` })),
    offset: Type.Optional(Int(0, 1_000_000, { description: 'items to skip' })),
  });
}

/** `{id}` in the path. */
export const IdParams = Input({ id: Type.String({ maxLength: 100 }) });

// ---------------------------------------------------------------------------------------------
// Route declarations.
// ---------------------------------------------------------------------------------------------

const STATUS_TEXT: Record<number, string> = {
  200: 'success',
  201: 'created',
  202: 'accepted: the payment is still being processed',
  204: 'no content',
  302: 'redirect',
  303: 'see other: the Location header names the page to load',
  400: 'invalid request: the message names the field and the problem',
  402: 'the payment was declined',
  401: 'missing, unknown or deleted API key',
  403: 'the key may not do this',
  404: 'no such resource for this merchant',
  409: "the resource's state forbids this",
  410: 'gone: the link has expired',
  422: 'valid, but cannot be processed',
  429: 'too many requests',
  500: 'internal error (logged with the correlation id)',
  503: 'unavailable: a dependency (the database) does not answer',
};

export type Auth = AuthRequirement;

export interface RouteDeclaration {
  summary: string;
  description?: string;
  /**
   * Who may call it; applied to the handler (as @NoAuth & co. do) and documented. Leave it out
   * for private-key routes, or when the controller class carries the requirement (then it must
   * be repeated here for the document).
   */
  auth?: Auth;
  body?: TObject;
  query?: TObject;
  params?: TObject;
  /** Success responses by status, usually `{ 200: Success(View) }`. */
  responses: Partial<Record<number, TSchema>>;
  /** Failure statuses besides the ones every route has (400, 401, 500 for authenticated routes). */
  errors?: readonly number[];
  /** The failure body, when the API's differs from `Failure` (the payments API's, docs/payments-api.md). */
  failure?: TSchema;
  /**
   * Accepts x-idempotency-key: set it on every POST and PUT route (the idempotency guard
   * applies to all of them); documents the header and the 409 and 422 it may answer.
   */
  idempotent?: boolean;
  /** Samples for the document, from the spec. */
  examples?: { body?: unknown; response?: unknown };
  /**
   * Content type of a non-JSON answer (text/html, application/pdf): documented, not serialized.
   * `contentTypes` gives another per status (a PDF route's 404 is an HTML page).
   */
  produces?: string;
  contentTypes?: Partial<Record<number, string>>;
  /**
   * How messages start: 'field' (default) writes `amount must be ...`, as the calculation core
   * does; 'invalid' writes `invalid amount: must be ...`, as ValidationError does, for the
   * routes whose clients know that form (invoices, the vault, transactions, users).
   */
  errorStyle?: 'field' | 'invalid';
}

export type BodyOf<R extends RouteDeclaration> = R['body'] extends TSchema
  ? Static<R['body']>
  : never;
export type QueryOf<R extends RouteDeclaration> = R['query'] extends TSchema
  ? Static<R['query']>
  : never;
export type ParamsOf<R extends RouteDeclaration> = R['params'] extends TSchema
  ? Static<R['params']>
  : never;
/** What the handler returns: the success body of its lowest declared status. */
export type ReplyOf<R extends RouteDeclaration> = {
  [S in keyof R['responses']]: R['responses'][S] extends TSchema
    ? Static<R['responses'][S]>
    : never;
}[keyof R['responses']];

/** Keeps the literal types of a declaration (so BodyOf & co. see its schemas). */
export function route<const R extends RouteDeclaration>(declaration: R): R {
  return declaration;
}

/** The failure statuses a route documents: its own and the ones every route may answer. */
export function failureStatuses(declaration: RouteDeclaration): number[] {
  const statuses = new Set<number>([400, 500, ...(declaration.errors ?? [])]);
  if ((declaration.auth ?? 'private') !== 'none') statuses.add(401);
  // x-idempotency-key: 409 while the first request runs, 422 for the key with another body.
  if (declaration.idempotent) [409, 422].forEach((s) => statuses.add(s));
  return [...statuses].sort((a, b) => a - b);
}

/** The Fastify schema of a declaration (validation + response serialization). */
export function fastifySchema(declaration: RouteDeclaration): Record<string, unknown> {
  const response: Record<string, unknown> = {};
  if (declaration.produces === undefined) {
    for (const [status, schema] of Object.entries(declaration.responses)) response[status] = schema;
  }
  for (const status of failureStatuses(declaration))
    response[status] = declaration.failure ?? Failure;
  const styled = (schema: TObject) =>
    declaration.errorStyle === 'invalid' ? { ...schema, 'x-error-style': 'invalid' } : schema;
  return {
    ...(declaration.body ? { body: styled(declaration.body) } : {}),
    ...(declaration.query ? { querystring: styled(declaration.query) } : {}),
    ...(declaration.params ? { params: styled(declaration.params) } : {}),
    response,
  };
}

function propertiesOf(schema: TObject): [string, TSchema, boolean][] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, s]) => [
    name,
    s as TSchema,
    required.has(name),
  ]);
}

/**
 * Declares a route: put it on the handler, next to @Get/@Post. The handler's parameters are
 * then typed with BodyOf/QueryOf/ParamsOf<typeof declaration> and its result with ReplyOf.
 */
export function Route(declaration: RouteDeclaration): MethodDecorator {
  const decorators: (MethodDecorator | ClassDecorator)[] = [
    RouteSchema(fastifySchema(declaration) as never),
    ApiOperation({ summary: declaration.summary, description: declaration.description }),
    ApiExtension('x-rebill-auth', declaration.auth ?? 'private'),
  ];
  // The declaration is the one place that says who may call the route.
  if (declaration.auth !== undefined) {
    decorators.push(SetMetadata(AUTH_REQUIREMENT, declaration.auth));
  }
  if (declaration.body) {
    decorators.push(
      ApiBody({
        schema: declaration.body as never,
        required: false,
        ...(declaration.examples?.body !== undefined
          ? {
              examples: {
                spec: { summary: "the spec's sample", value: declaration.examples.body },
              },
            }
          : {}),
      }),
    );
  }
  for (const [name, schema, required] of declaration.params
    ? propertiesOf(declaration.params)
    : []) {
    decorators.push(ApiParam({ name, required, schema: schema as never }));
  }
  for (const [name, schema, required] of declaration.query ? propertiesOf(declaration.query) : []) {
    decorators.push(
      ApiQuery({ name, required, schema: schema as never, description: schema.description }),
    );
  }
  if (declaration.idempotent) {
    decorators.push(
      ApiHeader({
        name: 'x-idempotency-key',
        required: false,
        description:
          'a retry with the same key and body replays the first answer instead of acting twice (docs/api-compatibility.md)',
      }),
    );
  }
  if (declaration.produces !== undefined) {
    decorators.push(...nonJsonResponses(declaration));
    return applyDecorators(...decorators);
  }
  for (const [status, schema] of Object.entries(declaration.responses)) {
    const code = Number(status);
    decorators.push(
      ApiResponse({
        status: code,
        description: STATUS_TEXT[code] ?? String(code),
        schema: schema as never,
        ...(declaration.examples?.response !== undefined && code < 300
          ? { example: declaration.examples.response }
          : {}),
      }),
    );
  }
  for (const status of failureStatuses(declaration)) {
    decorators.push(
      ApiResponse({
        status,
        description: STATUS_TEXT[status] ?? String(status),
        schema: (declaration.failure ?? { $ref: '#/components/schemas/Failure' }) as never,
      }),
    );
  }
  return applyDecorators(...decorators);
}

/**
 * The responses of a route answering pages or files: each status with its content type, and
 * the failure envelope (JSON) beside a page where both may answer the same status (a form
 * re-rendered with its error, or an invalid path parameter).
 */
function nonJsonResponses(declaration: RouteDeclaration): MethodDecorator[] {
  const content = new Map<number, Record<string, { schema: unknown }>>();
  for (const [status, schema] of Object.entries(declaration.responses)) {
    const code = Number(status);
    if ((schema as Record<string, unknown>)['x-no-body'] === true) {
      content.set(code, {});
      continue;
    }
    const type = declaration.contentTypes?.[code] ?? declaration.produces ?? 'application/json';
    content.set(code, { [type]: { schema } });
  }
  for (const status of failureStatuses(declaration)) {
    content.set(status, {
      ...content.get(status),
      'application/json': {
        schema: declaration.failure ?? { $ref: '#/components/schemas/Failure' },
      },
    });
  }
  return [...content.entries()].map(([status, types]) =>
    ApiResponse({
      status,
      description: STATUS_TEXT[status] ?? String(status),
      ...(Object.keys(types).length > 0 ? { content: types as never } : {}),
    }),
  );
}
