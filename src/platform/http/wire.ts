import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { failed } from './envelope';

/**
 * What happens on the wire before a request reaches a route, and errors no route sees.
 *
 * Stray bytes after a GET or DELETE. The gateway API's JavaScript SDK (node-fetch 1.x) sends
 * `{}` after the headers of a GET or DELETE without a Content-Length. HTTP says such a
 * request has no body, so node's parser reads the request, then meets `{}` where the next
 * request line should start and reports a client error (HPE_CLOSED_CONNECTION after
 * `connection: close`, HPE_INVALID_METHOD otherwise) while the first response is still
 * being prepared. Fastify's default answer (a 400 written straight to the socket, then the
 * socket destroyed) replaces the real answer. Here the requests already read are answered
 * normally; the bytes after them are dropped, and since nothing after them can be parsed
 * (pipelining stays strict: nothing is guessed), the last answer carries `Connection: close`
 * and the connection ends after it. A client then opens a new connection for its next
 * request instead of meeting "socket hang up".
 *
 * Errors outside the router (a malformed request line, oversized headers, a timeout) and
 * Fastify's framework errors (a path parameter over 100 characters, a malformed URL) are
 * answered in the API's envelope.
 */

const LAST_RESPONSE = Symbol('rebill.lastResponse');

type TrackedSocket = Socket & { [LAST_RESPONSE]?: ServerResponse };

/**
 * Remembers, per connection, the response of the latest request read from it: the one that
 * must close the connection when the bytes after it cannot be parsed.
 */
export function trackLatestResponse(server: Server): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    (req.socket as TrackedSocket)[LAST_RESPONSE] = res;
  });
}

const CLIENT_ERRORS: Record<string, { status: number; reason: string; msg: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    msg: 'request timeout: the request was not received in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    msg: 'request headers too large',
  },
};

/** Fastify's `clientErrorHandler`: `this` is the Fastify instance (unused). */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = err.code === undefined ? undefined : CLIENT_ERRORS[err.code];
  const last = (socket as TrackedSocket)[LAST_RESPONSE];
  if (last !== undefined && !last.writableFinished) {
    // Requests were read from this connection and one is still being answered: the error is
    // about the bytes after them. Answer what was read, then close.
    if (!last.headersSent) last.shouldKeepAlive = false;
    else last.once('finish', () => socket.end());
    return;
  }
  if (last !== undefined && known === undefined) {
    // Stray bytes after answered requests: close quietly. An unasked-for 400 on an idle
    // keep-alive connection could be read as the answer to the client's next request.
    socket.end();
    return;
  }
  const { status, reason, msg } = known ?? {
    status: 400,
    reason: 'Bad Request',
    msg: 'bad request: the request is not valid HTTP/1.1',
  };
  if (socket.writable) {
    const body = JSON.stringify(failed(msg));
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.end();
  socket.destroySoon?.();
}

/** Fastify's `frameworkErrors`: routing errors raised before any route (or Nest) runs. */
export function frameworkErrors(
  error: { code?: string; message: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [status, msg] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'URI too long: a path parameter is longer than 100 characters']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'bad request: the URL is not valid (malformed percent-encoding)']
        : [400, 'bad request'];
  void reply
    .status(status)
    .header('x-correlation-id', request.id)
    .header('content-type', 'application/json; charset=utf-8')
    .send(failed(msg));
}
