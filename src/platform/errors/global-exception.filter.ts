import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CalcInputError } from '../../billing-calc/errors';
import { CalendarInputError } from '../../billing-calc/calendar';
import { failed } from '../http/envelope';
import {
  IDEMPOTENT_REPLAY_TYPE,
  IdempotentReplay,
  markIdempotencyFailed,
} from '../idempotency/idempotency.guard';
import { DomainError, ErrorCode, HTTP_STATUS_BY_CODE } from './errors';

/**
 * Every error leaves as {"status":"failed","msg":...} with the x-correlation-id header.
 * Known errors keep their status; anything else is logged with the correlation id and
 * answered with a generic 500 that reveals nothing.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('GlobalExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    if (exception instanceof IdempotentReplay) {
      // The stored answer to this x-idempotency-key, byte for byte (idempotency.guard.ts).
      void reply
        .status(exception.status)
        .header('x-correlation-id', request.id)
        .header('x-idempotent-replayed', 'true')
        .header('content-type', IDEMPOTENT_REPLAY_TYPE)
        .send(exception.text);
      return;
    }
    markIdempotencyFailed(request);
    const { status, msg } = describeError(exception, request);
    // The payments API (/v1) adds a machine-readable part to the same envelope.
    const body = request.url.startsWith('/v1/') ? v1ErrorBody(status, msg, exception) : failed(msg);
    if (status >= 500) {
      this.logger.error(
        { err: exception, correlationId: request.id, method: request.method, url: request.url },
        'unhandled error',
      );
    }
    void reply
      .status(status)
      .header('x-correlation-id', request.id)
      .header('content-type', 'application/json; charset=utf-8')
      .send(body);
  }
}

export function describeError(
  exception: unknown,
  request?: { method?: string; url?: string },
): { status: number; msg: string } {
  if (exception instanceof CalcInputError || exception instanceof CalendarInputError) {
    // The pure core's input errors always name the field.
    return { status: 400, msg: exception.message };
  }
  if (exception instanceof DomainError) {
    return { status: HTTP_STATUS_BY_CODE[exception.code], msg: exception.message };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404 && request) {
      return { status, msg: `not found: ${request.method} ${request.url?.split('?')[0]}` };
    }
    const response = exception.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : Array.isArray((response as { message?: unknown }).message)
          ? (response as { message: string[] }).message.join('; ')
          : String((response as { message?: unknown }).message ?? exception.message);
    return { status, msg: message };
  }
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, msg: fastifyRequestErrorMessage(fastifyError) };
  }
  return { status: 500, msg: 'internal server error' };
}

function fastifyRequestErrorMessage(err: { code?: string; message?: string }): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'malformed JSON body: the request body could not be parsed';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type: send application/json';
    default:
      return err.message ?? 'bad request';
  }
}

const CODE_BY_STATUS: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(HTTP_STATUS_BY_CODE).map(([code, status]) => [status, code as ErrorCode]),
);

/**
 * The payments API's one error shape (docs/payments-api.md, "Errors"):
 * `{"status":"failed","msg":"...","error":{"code":"conflict","param":"amount"|null}}`.
 */
export function v1ErrorBody(status: number, msg: string, exception: unknown) {
  const code: string =
    exception instanceof DomainError
      ? exception.code
      : status >= 500
        ? 'internal_error'
        : (CODE_BY_STATUS[status] ?? 'bad_request');
  const param =
    exception instanceof DomainError
      ? (exception.field ?? null)
      : exception instanceof CalcInputError
        ? exception.field
        : null;
  return { ...failed(msg), error: { code, param } };
}
