import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, Observable, of, switchMap, throwError } from 'rxjs';
import { RequestAuth } from '../auth/auth.decorators';
import { IdempotencyService } from './idempotency.service';
import { requestFingerprint } from './stable-hash';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Applies `x-idempotency-key` to POST and PUT requests. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { auth?: RequestAuth }>();
    const reply = http.getResponse<FastifyReply>();
    const header = request.headers['x-idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || (request.method !== 'POST' && request.method !== 'PUT')) {
      return next.handle();
    }
    const auth = request.auth;
    const scope =
      auth === undefined
        ? 'anonymous'
        : auth.kind === 'merchant'
          ? auth.merchantId
          : `partner:${auth.partnerKeyId}`;
    const path = request.url.split('?')[0];
    const fingerprint = requestFingerprint(request.method, request.url, request.body);

    return from(this.idempotency.claim(scope, key, request.method, path, fingerprint)).pipe(
      switchMap((claim) => {
        if (claim.kind === 'replay') {
          void reply
            .status(claim.status)
            .header('x-idempotent-replayed', 'true')
            .header('content-type', JSON_TYPE);
          return of(claim.text);
        }
        return next.handle().pipe(
          switchMap((body: unknown) => {
            // The text is what is sent and what is stored: a replay is the same bytes.
            const text = JSON.stringify(body ?? null);
            void reply.header('content-type', JSON_TYPE);
            return from(this.idempotency.complete(scope, key, reply.statusCode, text)).pipe(
              switchMap(() => of(text)),
            );
          }),
          catchError((err) =>
            from(this.idempotency.release(scope, key)).pipe(switchMap(() => throwError(() => err))),
          ),
        );
      }),
    );
  }
}
