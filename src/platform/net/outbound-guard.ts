import { lookup as dnsLookup, LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { ValidationError } from '../errors/errors';

/**
 * The outbound address guard: Rebill never opens a connection to an internal address on a
 * merchant's say-so (a processor's gateway URL, a webhook endpoint, an invoice logo).
 *
 * Two checks, because either alone can be bypassed:
 * - `assertPublicHttpUrl` when the URL is accepted (and again before each request): only
 *   http(s), no credentials in the URL, and a literal address must be public;
 * - `guardedLookup` at connect time: a DNS name may resolve to a private address (or be
 *   re-pointed after it was accepted), so the resolved address is checked before connecting.
 *
 * `allowPrivate` comes from the configuration (`REBILL_OUTBOUND_ALLOW_PRIVATE`) and exists
 * for development and tests, where gateways and receivers listen on loopback.
 */

/** ipaddr.js range names that are public, routable unicast addresses. */
const PUBLIC_RANGES = new Set(['unicast']);

/** Why an address is refused, or null when it is a public unicast address. */
export function nonPublicReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'is not an IP address';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::ffff:127.0.0.1 and friends reach the IPv4 address they embed.
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
  }
  const range = parsed.range();
  if (PUBLIC_RANGES.has(range)) return null;
  return `resolves to a ${range} address (${parsed.toString()}), which is not allowed`;
}

/**
 * Parses and checks a URL a merchant gave Rebill to call. Throws the ValidationError naming
 * `field` for anything but a public http(s) URL (unless `allowPrivate`).
 */
export function assertPublicHttpUrl(url: string, field: string, allowPrivate: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(field, 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(field, 'must be an http(s) URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ValidationError(field, 'must not carry credentials');
  }
  if (allowPrivate) return parsed;
  // new URL() keeps IPv6 literals in brackets and normalises IPv4 forms (0x7f.1, 2130706433).
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    const reason = nonPublicReason(host);
    if (reason !== null)
      throw new ValidationError(field, `the host ${reason.replace(/^resolves to/, 'is')}`);
  } else {
    const lower = host.toLowerCase().replace(/\.$/, '');
    if (
      lower === 'localhost' ||
      lower.endsWith('.localhost') ||
      lower.endsWith('.local') ||
      lower.endsWith('.internal') ||
      !lower.includes('.')
    ) {
      throw new ValidationError(field, `the host ${host} is not a public host name`);
    }
  }
  return parsed;
}

/** The error a refused connection fails with; its code is not one of the "never sent" codes. */
export class OutboundAddressRefused extends Error {
  readonly code = 'EADDRNOTPUBLIC';
  constructor(hostname: string, reason: string) {
    super(`refused to connect to ${hostname}: ${reason}`);
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `dns.lookup`-compatible function for http(s) agents (node:http `lookup`, undici
 * `connect.lookup`): resolves as usual, then refuses the connection when any resolved
 * address is not public. With `allowPrivate` it is plain `dns.lookup`.
 */
export function guardedLookup(allowPrivate: boolean): typeof dnsLookup {
  if (allowPrivate) return dnsLookup;
  const guarded = (
    hostname: string,
    optionsOrCallback: number | LookupOneOptions | LookupAllOptions | LookupCallback,
    maybeCallback?: LookupCallback,
  ): void => {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback)!;
    const options =
      typeof optionsOrCallback === 'function'
        ? {}
        : typeof optionsOrCallback === 'number'
          ? { family: optionsOrCallback }
          : optionsOrCallback;
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const reason = nonPublicReason(a.address);
        if (reason !== null) {
          return callback(new OutboundAddressRefused(hostname, reason), []);
        }
      }
      if ((options as LookupAllOptions).all) return callback(null, list);
      const first = list[0];
      if (first === undefined) {
        const e: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
        e.code = 'ENOTFOUND';
        return callback(e, []);
      }
      callback(null, first.address, first.family);
    });
  };
  return guarded as unknown as typeof dnsLookup;
}

/**
 * A fetch whose connections go through `guardedLookup` (and whose URLs are checked with
 * `assertPublicHttpUrl` first, since a literal address skips the lookup). A refused address
 * fails like a connection error whose cause has the code `EADDRNOTPUBLIC`: nothing was sent.
 */
export function guardedFetch(allowPrivate: boolean): typeof fetch {
  if (allowPrivate) return fetch;
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(false) } });
  const guarded = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    try {
      assertPublicHttpUrl(url, 'url', false);
    } catch (err) {
      const host = URL.canParse(url) ? new URL(url).hostname : url;
      throw Object.assign(new TypeError('fetch failed'), {
        cause: new OutboundAddressRefused(
          host,
          (err as Error).message.replace(/^invalid url: /, ''),
        ),
      });
    }
    // A redirect is answered as it is, never followed: its target (perhaps a literal internal
    // address, which skips the lookup) would escape the check above.
    return undiciFetch(url, {
      ...(init as object),
      redirect: 'manual',
      dispatcher,
    } as never) as unknown as Response;
  };
  return guarded as typeof fetch;
}

/** One HTTP exchange as the gateway client makes it: the whole answer, read as text. */
export interface OutboundRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the exchange, answer included (a timeout). */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  text: string;
}

/** What a gateway client sends requests with (the fetch API's cost without its streams). */
export type OutboundHttp = (url: string, init: OutboundRequest) => Promise<OutboundResponse>;

/**
 * The same guard as `guardedFetch` for undici's `request()` over keep-alive connections:
 * no Request/Response objects or web streams per call, which the billing run's thousands
 * of charges a second pay for (docs/performance.md). Failures are thrown as undici throws
 * them: the socket's own error, whose `code` says whether anything was sent; a refused
 * address is an `OutboundAddressRefused` (EADDRNOTPUBLIC). Redirects are never followed.
 */
export function guardedRequest(allowPrivate: boolean): OutboundHttp {
  const dispatcher = new Agent(allowPrivate ? {} : { connect: { lookup: guardedLookup(false) } });
  return async (url, init) => {
    if (!allowPrivate) {
      try {
        assertPublicHttpUrl(url, 'url', false);
      } catch (err) {
        const host = URL.canParse(url) ? new URL(url).hostname : url;
        throw new OutboundAddressRefused(
          host,
          (err as Error).message.replace(/^invalid url: /, ''),
        );
      }
    }
    const response = await undiciRequest(url, {
      method: init.method as 'GET' | 'POST',
      headers: init.headers,
      body: init.body,
      signal: init.signal,
      dispatcher,
    });
    return { status: response.statusCode, text: await response.body.text() };
  };
}
