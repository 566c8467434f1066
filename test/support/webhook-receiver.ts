import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  body: any;
}

export type Responder = (req: ReceivedWebhook, res: ServerResponse) => void | Promise<void>;

/**
 * A real HTTP server in the test process that records every request. By default it answers
 * 200; `respond` changes the answer (per test), e.g. 500 first and 200 after.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: Responder = (_req, res) => {
    res.statusCode = 200;
    res.end('ok');
  };
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown = rawBody;
        try {
          body = JSON.parse(rawBody);
        } catch {
          // not JSON
        }
        const received = { path: req.url ?? '', headers: req.headers, rawBody, body };
        this.received.push(received);
        Promise.resolve(this.respond(received, res)).catch(() => {
          res.statusCode = 500;
          res.end();
        });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests to one path (each endpoint of a test gets its own path). */
  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
