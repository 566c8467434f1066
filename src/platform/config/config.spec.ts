import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.dataDir).toBe('.data');
  });

  it('names every bad variable in one readable error', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      fail('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('LOG_LEVEL');
    }
  });

  it('refuses a short partner key', () => {
    expect(() => loadConfig({ PARTNER_API_KEY: 'short' })).toThrow(/PARTNER_API_KEY/);
  });
});

describe('REBILL_OUTBOUND_ALLOW_PRIVATE', () => {
  it('is off unless set: merchant URLs may not point at internal addresses', () => {
    expect(loadConfig({}).outboundAllowPrivate).toBe(false);
    expect(loadConfig({ REBILL_OUTBOUND_ALLOW_PRIVATE: 'true' }).outboundAllowPrivate).toBe(true);
    expect(loadConfig({ REBILL_OUTBOUND_ALLOW_PRIVATE: '0' }).outboundAllowPrivate).toBe(false);
  });

  it('refuses anything but a boolean at boot', () => {
    expect(() => loadConfig({ REBILL_OUTBOUND_ALLOW_PRIVATE: 'yes please' })).toThrow(
      /REBILL_OUTBOUND_ALLOW_PRIVATE/,
    );
  });
});

describe('REBILL_WEBHOOK_ALLOW_PRIVATE', () => {
  it('follows REBILL_OUTBOUND_ALLOW_PRIVATE when unset, and overrides it when set', () => {
    expect(loadConfig({}).webhookAllowPrivate).toBe(false);
    expect(loadConfig({ REBILL_OUTBOUND_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(
      loadConfig({ REBILL_OUTBOUND_ALLOW_PRIVATE: 'true', REBILL_WEBHOOK_ALLOW_PRIVATE: 'false' })
        .webhookAllowPrivate,
    ).toBe(false);
    expect(loadConfig({ REBILL_WEBHOOK_ALLOW_PRIVATE: '1' }).webhookAllowPrivate).toBe(true);
  });

  it('stops the boot on anything but true or false, naming the variable', () => {
    expect(() => loadConfig({ REBILL_WEBHOOK_ALLOW_PRIVATE: 'maybe' })).toThrow(
      /REBILL_WEBHOOK_ALLOW_PRIVATE must be true or false/,
    );
  });
});

describe('loadConfig: JWT settings', () => {
  it('defaults the token lifetime to 15 minutes and leaves the secret to the data directory', () => {
    const config = loadConfig({});
    expect(config.jwtTtlSeconds).toBe(900);
    expect(config.jwtSecret).toBeUndefined();
  });

  it('refuses a short JWT secret and a lifetime out of range, naming each', () => {
    expect(() => loadConfig({ REBILL_JWT_SECRET: 'too-short' })).toThrow(/REBILL_JWT_SECRET/);
    expect(() => loadConfig({ REBILL_JWT_TTL_SECONDS: '5' })).toThrow(/REBILL_JWT_TTL_SECONDS/);
    expect(() => loadConfig({ REBILL_JWT_TTL_SECONDS: '1h' })).toThrow(/REBILL_JWT_TTL_SECONDS/);
    expect(loadConfig({ REBILL_JWT_TTL_SECONDS: '3600' }).jwtTtlSeconds).toBe(3600);
  });
});

describe('loadConfig: file batch size limit', () => {
  it('defaults to 64 MiB and refuses a value out of range', () => {
    expect(loadConfig({}).fileBatchMaxBytes).toBe(64 * 1024 * 1024);
    expect(loadConfig({ REBILL_FILE_BATCH_MAX_BYTES: '2048' }).fileBatchMaxBytes).toBe(2048);
    expect(() => loadConfig({ REBILL_FILE_BATCH_MAX_BYTES: '10' })).toThrow(
      /REBILL_FILE_BATCH_MAX_BYTES/,
    );
  });
});
