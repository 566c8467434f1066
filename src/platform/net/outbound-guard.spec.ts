import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { ValidationError } from '../errors/errors';
import {
  assertPublicHttpUrl,
  guardedFetch,
  guardedLookup,
  nonPublicReason,
} from './outbound-guard';

describe('assertPublicHttpUrl', () => {
  it.each([
    'http://127.0.0.1:9',
    'http://127.1',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0.0.0.0/',
    'http://169.254.169.254/latest/meta-data',
    'http://10.1.2.3',
    'http://172.16.0.1',
    'http://192.168.1.1',
    'http://100.64.0.1',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://localhost:3000',
    'http://api.localhost',
    'http://metadata.google.internal',
    'http://printer.local',
    'http://intranet',
  ])('refuses %s, naming the field', (url) => {
    expect(() => assertPublicHttpUrl(url, 'gateway.base_url', false)).toThrow(ValidationError);
    expect(() => assertPublicHttpUrl(url, 'gateway.base_url', false)).toThrow(/gateway.base_url/);
  });

  it.each([
    'ftp://gateway.example',
    'file:///etc/passwd',
    'not a url',
    'https://user:pw@gw.example',
  ])('refuses %s even when private addresses are allowed', (url) => {
    expect(() => assertPublicHttpUrl(url, 'gateway.base_url', true)).toThrow(/gateway.base_url/);
  });

  it('accepts public hosts, and private ones only when configured to', () => {
    expect(assertPublicHttpUrl('https://gateway.example/api', 'u', false).hostname).toBe(
      'gateway.example',
    );
    expect(assertPublicHttpUrl('http://8.8.8.8', 'u', false).hostname).toBe('8.8.8.8');
    expect(assertPublicHttpUrl('http://[2001:4860::8888]/', 'u', false).hostname).toBe(
      '[2001:4860::8888]',
    );
    expect(assertPublicHttpUrl('http://127.0.0.1:9', 'u', true).port).toBe('9');
  });
});

describe('nonPublicReason', () => {
  it('names the range of an internal address and passes public ones', () => {
    expect(nonPublicReason('127.0.0.1')).toMatch(/loopback/);
    expect(nonPublicReason('169.254.169.254')).toMatch(/linkLocal/);
    expect(nonPublicReason('::ffff:10.0.0.1')).toMatch(/private/);
    expect(nonPublicReason('93.184.216.34')).toBeNull();
  });
});

describe('connect-time checks', () => {
  let server: Server;
  let port: number;
  let received = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      received++;
      res.end('{"status":"success"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('guardedLookup refuses a name that resolves to loopback', async () => {
    const lookup = guardedLookup(false);
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (e) => resolve(e)),
    );
    expect(err?.code).toBe('EADDRNOTPUBLIC');
    expect(err?.message).toMatch(/loopback/);
  });

  it('an agent using guardedLookup never connects to a DNS name that resolves to loopback', async () => {
    const before = received;
    const dispatcher = new Agent({ connect: { lookup: guardedLookup(false) } });
    const error = await undiciFetch(`http://localhost:${port}/`, { dispatcher }).then(
      () => null,
      (e: unknown) => e as { cause?: { code?: string } },
    );
    expect(error?.cause?.code).toBe('EADDRNOTPUBLIC');
    expect(received).toBe(before);
    await dispatcher.close();
  });

  it('guardedFetch refuses a literal internal address before connecting, and allows it when configured', async () => {
    const before = received;
    const error = await guardedFetch(false)(`http://127.0.0.1:${port}/`).then(
      () => null,
      (e: unknown) => e as { cause?: { code?: string } },
    );
    expect(error?.cause?.code).toBe('EADDRNOTPUBLIC');
    expect(received).toBe(before);
    const allowed = await guardedFetch(true)(`http://127.0.0.1:${port}/`);
    expect(allowed.status).toBe(200);
    expect(received).toBe(before + 1);
  });
});
