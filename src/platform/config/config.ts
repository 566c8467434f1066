/**
 * Configuration comes from environment variables only, validated once at boot.
 * A bad value stops the process with a message that names the variable.
 */
export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  partnerApiKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  publicBaseUrl: string | undefined;
  smtpUrl: string | undefined;
  encryptionKey: string | undefined;
  /** Database connections per process (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
  /**
   * Whether merchant-given URLs (a processor's gateway, webhooks, logos) may point at
   * loopback, link-local or private addresses: for development and tests only.
   */
  outboundAllowPrivate: boolean;
  /**
   * The same for webhook endpoints alone (REBILL_WEBHOOK_ALLOW_PRIVATE); it follows
   * REBILL_OUTBOUND_ALLOW_PRIVATE when unset.
   */
  webhookAllowPrivate: boolean;
  /** HS256 secret for the JWTs of POST /api/token-auth; generated under dataDir when unset. */
  jwtSecret: string | undefined;
  /** How long a JWT lives, in seconds. */
  jwtTtlSeconds: number;
  /** The largest CSV POST /api/filebatch accepts, in bytes. */
  fileBatchMaxBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  let port = 3000;
  const rawPort = str('PORT');
  if (rawPort !== undefined) {
    if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65535) {
      problems.push(`PORT must be an integer from 0 to 65535, got "${rawPort}"`);
    } else {
      port = Number(rawPort);
    }
  }

  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const partnerApiKey = str('PARTNER_API_KEY');
  if (partnerApiKey !== undefined && partnerApiKey.length < 20) {
    problems.push('PARTNER_API_KEY must be at least 20 characters long');
  }

  const rawLevel = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${rawLevel}"`);
  }

  const smtpUrl = str('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\//.test(smtpUrl)) {
    problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  }

  const encryptionKey = str('REBILL_ENCRYPTION_KEY');
  if (encryptionKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(encryptionKey)) {
    problems.push('REBILL_ENCRYPTION_KEY must be 64 hex characters (a 256-bit key)');
  }

  const publicBaseUrl = str('PUBLIC_BASE_URL');
  if (publicBaseUrl !== undefined && !/^https?:\/\//.test(publicBaseUrl)) {
    problems.push('PUBLIC_BASE_URL must be an http:// or https:// URL');
  }

  let databasePoolSize = 20;
  const rawPool = str('DATABASE_POOL_SIZE');
  if (rawPool !== undefined) {
    if (!/^\d+$/.test(rawPool) || Number(rawPool) < 4 || Number(rawPool) > 500) {
      problems.push(`DATABASE_POOL_SIZE must be a whole number from 4 to 500, got "${rawPool}"`);
    } else {
      databasePoolSize = Number(rawPool);
    }
  }

  const jwtSecret = str('REBILL_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('REBILL_JWT_SECRET must be at least 32 characters long');
  }

  let jwtTtlSeconds = 900;
  const rawTtl = str('REBILL_JWT_TTL_SECONDS');
  if (rawTtl !== undefined) {
    if (!/^\d+$/.test(rawTtl) || Number(rawTtl) < 60 || Number(rawTtl) > 86400) {
      problems.push(`REBILL_JWT_TTL_SECONDS must be an integer from 60 to 86400, got "${rawTtl}"`);
    } else {
      jwtTtlSeconds = Number(rawTtl);
    }
  }

  let outboundAllowPrivate = false;
  const rawAllowPrivate = str('REBILL_OUTBOUND_ALLOW_PRIVATE');
  if (rawAllowPrivate !== undefined) {
    if (rawAllowPrivate === 'true' || rawAllowPrivate === '1') outboundAllowPrivate = true;
    else if (rawAllowPrivate !== 'false' && rawAllowPrivate !== '0') {
      problems.push(
        `REBILL_OUTBOUND_ALLOW_PRIVATE must be true or false, got "${rawAllowPrivate}"`,
      );
    }
  }

  let fileBatchMaxBytes = 64 * 1024 * 1024;
  const rawMax = str('REBILL_FILE_BATCH_MAX_BYTES');
  if (rawMax !== undefined) {
    if (!/^\d+$/.test(rawMax) || Number(rawMax) < 1024 || Number(rawMax) > 1024 ** 3) {
      problems.push(
        `REBILL_FILE_BATCH_MAX_BYTES must be an integer from 1024 to 1073741824, got "${rawMax}"`,
      );
    } else {
      fileBatchMaxBytes = Number(rawMax);
    }
  }

  let webhookAllowPrivate = outboundAllowPrivate;
  const rawWebhookPrivate = str('REBILL_WEBHOOK_ALLOW_PRIVATE');
  if (rawWebhookPrivate !== undefined) {
    if (rawWebhookPrivate === 'true' || rawWebhookPrivate === '1') webhookAllowPrivate = true;
    else if (rawWebhookPrivate === 'false' || rawWebhookPrivate === '0')
      webhookAllowPrivate = false;
    else {
      problems.push(
        `REBILL_WEBHOOK_ALLOW_PRIVATE must be true or false, got "${rawWebhookPrivate}"`,
      );
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: str('HOST') ?? '0.0.0.0',
    databaseUrl,
    partnerApiKey,
    logLevel: rawLevel as AppConfig['logLevel'],
    dataDir: str('REBILL_DATA_DIR') ?? '.data',
    publicBaseUrl,
    databasePoolSize,
    smtpUrl,
    encryptionKey,
    outboundAllowPrivate,
    webhookAllowPrivate,
    jwtSecret,
    jwtTtlSeconds,
    fileBatchMaxBytes,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
