import type { Params } from 'nestjs-pino';
import { AppConfig } from '../config/config';
import { redactSensitive } from './redact';

/** Structured pino logs; every line of a request carries its correlation id. */
export function loggerParams(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req) => String(req.headers['x-correlation-id'] ?? ''),
      customProps: (req) => ({ correlationId: (req as { id?: unknown }).id }),
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url === undefined ? undefined : redactSensitive(req.url),
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      formatters: {
        log: (object: Record<string, unknown>) =>
          redactSensitive(object) as Record<string, unknown>,
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}
