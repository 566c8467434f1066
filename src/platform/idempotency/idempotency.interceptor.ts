import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, Observable, of, switchMap, throwError } from 'rxjs';
import { RequestAuth } from '../auth/auth.decorators';
import { IdempotencyService } from './idempotency.service';
import { requestFingerprint } from './stable-hash';

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
          void reply.status(claim.status).header('x-idempotent-replayed', 'true');
          return of(claim.body);
        }
        return next.handle().pipe(
          switchMap((body) =>
            from(this.idempotency.complete(scope, key, reply.statusCode, body)).pipe(
              switchMap(() => of(body)),
            ),
          ),
          catchError((err) =>
            from(this.idempotency.release(scope, key)).pipe(switchMap(() => throwError(() => err))),
          ),
        );
      }),
    );
  }
}
