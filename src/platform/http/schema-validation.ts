/**
 * How Fastify validates the route schemas of ./route-schema.ts:
 *  - bodies with an ajv that never coerces ("100" is not a number of cents), query strings and
 *    path parameters with one that coerces (they are strings on the wire);
 *  - every schema compiled once, at boot;
 *  - a failure becomes a ValidationError-like DomainError whose message names the field as the
 *    API writes it (`add_ons[0].id`), worded by the schema's `x-errors` (see route-schema.ts);
 *  - the error is attached to the request rather than answered at once (attachValidation), and
 *    RequestValidationGuard, which runs after the API-key guard, throws it: an unauthenticated
 *    caller still gets 401 whatever it sent, and the error reaches the global filter, which
 *    writes the envelope.
 */
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { describeValue } from '../../billing-calc/errors';
import { DomainError } from '../errors/errors';

/** Annotation keywords our schemas carry for the document; ajv ignores them. */
export const ANNOTATION_KEYWORDS = ['x-errors', 'x-error-style', 'example'] as const;

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    allErrors: false, // the first error is the answer, and allErrors is a DoS vector
    verbose: true, // errors carry the schema and the data, for the wording
    strict: true,
    allowUnionTypes: true, // nullable fields are type arrays: ['integer', 'null']
  });
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword(keyword);
  return ajv;
}

const bodyAjv = newAjv(false);
const stringsAjv = newAjv(true);

type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** A request validation failure, attached to the request by Fastify. */
export class RequestValidationError extends DomainError {
  readonly statusCode = 400;
  constructor(
    message: string,
    override readonly field: string,
  ) {
    super('bad_request', message, field);
  }
}

/** `/add_ons/0/id` -> `add_ons[0].id` */
export function fieldName(instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (missing !== undefined) parts.push(missing);
  let out = '';
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function defaultProblem(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = String(p.type)
        .split(',')
        .filter((t) => t !== 'null')
        .map((t) => TYPE_WORDS[t] ?? t);
      return `{field} must be ${types.join(' or ')}, got {value}`;
    }
    case 'required':
      return 'invalid {field}: is required';
    case 'maxLength':
      return `invalid {field}: must be at most ${String(p.limit)} characters`;
    case 'minLength':
      return `invalid {field}: must be at least ${String(p.limit)} characters`;
    case 'maxItems':
      return `invalid {field}: may hold at most ${String(p.limit)} entries`;
    case 'minItems':
      return `invalid {field}: must hold at least ${String(p.limit)} entries`;
    case 'minimum':
      return `invalid {field}: must be at least ${String(p.limit)}, got {value}`;
    case 'maximum':
      return `invalid {field}: must be at most ${String(p.limit)}, got {value}`;
    case 'enum':
    case 'const': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [p.allowedValue];
      return `{field} must be one of ${allowed.map((a) => `'${String(a)}'`).join(', ')}, got {value}`;
    }
    case 'additionalProperties':
      return `invalid {field}: unknown field ${String(p.additionalProperty)}`;
    default:
      return `invalid {field}: ${error.message ?? 'is not valid'}`;
  }
}

/** The API's message for the first ajv error of a request part. */
export function describeSchemaError(
  error: ErrorObject,
  part: HttpPart,
  style: 'field' | 'invalid' = 'field',
): RequestValidationError {
  const missing =
    error.keyword === 'required'
      ? String((error.params as { missingProperty: string }).missingProperty)
      : undefined;
  let field = fieldName(error.instancePath, missing);
  if (field === '') field = part === 'querystring' ? 'query' : part;
  const schema = (
    missing !== undefined
      ? (error.parentSchema as { properties?: Record<string, unknown> })?.properties?.[missing]
      : error.parentSchema
  ) as { 'x-errors'?: Record<string, string> } | undefined;
  const messages = schema?.['x-errors'];
  let template = messages?.[error.keyword] ?? messages?.default ?? defaultProblem(error);
  if (style === 'invalid' && template.startsWith('{field} ')) {
    template = `invalid {field}: ${template.slice('{field} '.length)}`;
  }
  const value = missing !== undefined ? undefined : error.data;
  const message = template
    .replace(/\{field\}/g, field)
    .replace(/\{value\}/g, () => describeValue(value));
  return new RequestValidationError(message, field);
}

/** Fastify's validator compiler for our schemas. */
export function compileRequestValidator({
  schema,
  httpPart,
}: {
  schema: unknown;
  httpPart?: string;
}): (data: unknown) => { value?: unknown; error?: Error } {
  const part = (httpPart ?? 'body') as HttpPart;
  const style = (schema as { 'x-error-style'?: 'invalid' })['x-error-style'] ?? 'field';
  const validate: ValidateFunction = (part === 'body' ? bodyAjv : stringsAjv).compile(
    schema as object,
  );
  return (data: unknown) => {
    // A missing body, like an empty one, counts as {} (clients send nothing on GET/DELETE).
    const value =
      part === 'body' && (data === null || data === undefined || data === '') ? {} : data;
    if (validate(value)) return { value };
    return { error: describeSchemaError(validate.errors![0], part, style) };
  };
}

/** Installs the compiler and attaches validation errors (thrown by RequestValidationGuard). */
export function installRequestValidation(fastify: FastifyInstance): void {
  fastify.setValidatorCompiler(compileRequestValidator as never);
  fastify.addHook('onRoute', (options) => {
    if (options.schema) options.attachValidation = true;
  });
}

/** Throws the request's schema validation error, after authentication. */
@Injectable()
export class RequestValidationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const error = context.switchToHttp().getRequest<{ validationError?: Error }>().validationError;
    if (error) throw error;
    return true;
  }
}
