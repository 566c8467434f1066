import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RequestAuth } from '../auth/auth.decorators';
import { IdempotencyService } from './idempotency.service';
import { requestFingerprint } from './stable-hash';

/**
 * `x-idempotency-key` on POST and PUT requests, in three parts, so that a request without the
 * header costs one property read (docs/performance.md) instead of a Nest interceptor's
 * observable chain on every request:
 *
 * - IdempotencyGuard, the last global guard (after authentication and the route schema's
 *   validation), claims the key. A replay is thrown as IdempotentReplay, which the global
 *   filter answers with the stored status and bytes; the route does not run.
 * - The global filter marks a claimed request whose route threw (markIdempotencyFailed):
 *   its key is released, not stored, and a retry runs again.
 * - An onSend hook (installIdempotencyCompletion) stores the response of a claimed request:
 *   the very bytes sent, so a replay is the same bytes, before they are sent.
 */

const CLAIM = Symbol('rebill.idempotencyClaim');

interface Claim {
  scope: string;
  key: string;
  failed: boolean;
}

type ClaimedRequest = FastifyRequest & { auth?: RequestAuth; [CLAIM]?: Claim };

/** The stored answer to a request already made with this key; sent by the global filter. */
export class IdempotentReplay {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {}
}

export const IDEMPOTENT_REPLAY_TYPE = 'application/json; charset=utf-8';

@Injectable()
export class IdempotencyGuard implements CanActivate {
  constructor(private readonly idempotency: IdempotencyService) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<ClaimedRequest>();
    if (request.method !== 'POST' && request.method !== 'PUT') return true;
    const header = request.headers['x-idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined) return true;
    return this.claim(request, key);
  }

  private async claim(request: ClaimedRequest, key: string): Promise<boolean> {
    const auth = request.auth;
    const scope =
      auth === undefined
        ? 'anonymous'
        : auth.kind === 'merchant'
          ? auth.merchantId
          : `partner:${auth.partnerKeyId}`;
    const path = request.url.split('?')[0];
    const fingerprint = requestFingerprint(request.method, request.url, request.body);
    const claim = await this.idempotency.claim(scope, key, request.method, path, fingerprint);
    if (claim.kind === 'replay') throw new IdempotentReplay(claim.status, claim.text);
    request[CLAIM] = { scope, key, failed: false };
    return true;
  }
}

/** Called by the global filter for every error it answers: a claimed key is then released. */
export function markIdempotencyFailed(request: FastifyRequest): void {
  const claim = (request as ClaimedRequest)[CLAIM];
  if (claim !== undefined) claim.failed = true;
}

/** Stores (or, after an error, releases) a claimed request's key just before its response is sent. */
export function installIdempotencyCompletion(
  fastify: FastifyInstance,
  idempotency: IdempotencyService,
): void {
  fastify.addHook(
    'onSend',
    (
      request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
      done: (err: Error | null, payload?: unknown) => void,
    ) => {
      const claimed = request as ClaimedRequest;
      const claim = claimed[CLAIM];
      if (claim === undefined) return done(null, payload);
      claimed[CLAIM] = undefined;
      const { scope, key } = claim;
      if (claim.failed || typeof payload !== 'string') {
        // An error, or a body that is not JSON text: nothing to replay; a retry runs again.
        idempotency.release(scope, key).then(
          () => done(null, payload),
          (err: Error) => done(err),
        );
        return;
      }
      idempotency.complete(scope, key, reply.statusCode, payload).then(
        () => done(null, payload),
        (err: Error) =>
          idempotency.release(scope, key).then(
            () => done(err),
            () => done(err),
          ),
      );
    },
  );
}
