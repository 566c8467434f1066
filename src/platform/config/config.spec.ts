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
