import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch, type RequestInit, type Response } from 'undici';
import { refusalReason, type EgressPolicy } from './egress-policy.ts';

/**
 * The egress guard for outgoing webhooks (product.md "Webhooks"). A URL is checked twice:
 * - when it is stored (`checkUrl`): http(s) only, no credentials, and its host, an IP literal in
 *   any spelling (WHATWG URL parsing turns `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1` into
 *   `127.0.0.1`) or a DNS name with every address it resolves to, allowed by the policy;
 * - on every connection (`guardedDispatcher`): the DNS name is resolved again and every answer
 *   checked, and the socket's actual peer address is checked once connected, so a name that
 *   re-binds to 127.0.0.1 between the check and the connection (DNS rebinding) is refused.
 * Redirects are never followed: a 3xx is the endpoint's answer.
 */
export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
  readonly code = 'EGRESS_REFUSED';
}

/** Resolves a DNS name to all of its addresses (`dns.lookup` with `all: true` by default). */
export type ResolveAll = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolveAll: ResolveAll = (hostname) =>
  dnsLookup(hostname, { all: true, order: 'verbatim' });

function refuse(url: string, why: string, policy: EgressPolicy): EgressRefusedError {
  return new EgressRefusedError(`webhook URL refused (egress ${policy}): ${url}: ${why}`);
}

/** The host without IPv6 brackets, as sockets and ipaddr.js take it. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

async function checkResolved(
  label: string,
  hostname: string,
  policy: EgressPolicy,
  resolve: ResolveAll,
): Promise<readonly LookupAddress[]> {
  let addresses: readonly LookupAddress[];
  try {
    addresses = await resolve(hostname);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw refuse(label, `${hostname} does not resolve (${code})`, policy);
  }
  if (addresses.length === 0) {
    throw refuse(label, `${hostname} does not resolve`, policy);
  }
  for (const { address } of addresses) {
    const why = refusalReason(address, policy);
    if (why !== null) {
      throw refuse(label, `${hostname} resolves to ${address}, ${why}`, policy);
    }
  }
  return addresses;
}

/**
 * Checks a webhook URL before it is stored or called; throws EgressRefusedError with one line
 * naming the reason. Returns the parsed URL.
 */
export async function checkUrl(
  url: string,
  policy: EgressPolicy,
  resolve: ResolveAll = systemResolveAll,
): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse(url, 'not a valid URL', policy);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refuse(url, `scheme ${parsed.protocol} is not http or https`, policy);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw refuse(url, 'credentials in the URL are not allowed', policy);
  }
  const host = bareHost(parsed.hostname);
  if (isIP(host) !== 0) {
    const why = refusalReason(host, policy);
    if (why !== null) {
      throw refuse(url, `${host} is ${why}`, policy);
    }
    return parsed;
  }
  await checkResolved(url, host, policy, resolve);
  return parsed;
}

/** A `net.connect` lookup that resolves with `resolve` and refuses any forbidden answer. */
function guardedLookup(policy: EgressPolicy, resolve: ResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    checkResolved(hostname, hostname, policy, resolve).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = all.filter((a) => wanted === 0 || a.family === wanted);
        const first = usable[0];
        if (first === undefined) {
          callback(refuse(hostname, `no IPv${wanted} address`, policy), '', 0);
        } else if (options.all === true) {
          callback(null, usable);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => {
        callback(err as NodeJS.ErrnoException, '', 0);
      },
    );
  };
}

export interface GuardOptions {
  policy: EgressPolicy;
  /** Bound on the TCP (and TLS) connect, on the wait for response headers, and between body chunks. */
  timeoutMs: number;
  /** DNS resolution; tests inject one, production uses the system resolver. */
  resolve?: ResolveAll;
}

/**
 * An undici dispatcher that enforces the policy at connect time: IP-literal hosts are checked
 * before connecting (net.connect skips the lookup for them), names are resolved and checked by the
 * lookup, and the connected socket's peer address is checked last.
 */
export function guardedDispatcher({
  policy,
  timeoutMs,
  resolve = systemResolveAll,
}: GuardOptions): Agent {
  const connectSocket = buildConnector({
    timeout: timeoutMs,
    lookup: guardedLookup(policy, resolve),
  });
  const connect: buildConnector.connector = (opts, callback) => {
    const host = bareHost(opts.hostname);
    const literalWhy = isIP(host) !== 0 ? refusalReason(host, policy) : null;
    if (literalWhy !== null) {
      callback(refuse(host, `${host} is ${literalWhy}`, policy), null);
      return;
    }
    connectSocket(opts, (...args) => {
      const [err, socket] = args;
      if (err !== null) {
        callback(err, null);
        return;
      }
      const peer = socket.remoteAddress;
      const why = peer === undefined ? 'unknown peer address' : refusalReason(peer, policy);
      if (why !== null) {
        socket.destroy();
        callback(refuse(host, `connected to ${peer ?? '?'}, ${why}`, policy), null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
}

export interface GuardedFetch {
  /** fetch that never follows redirects and is aborted after `timeoutMs` in all. */
  fetch(url: string, init?: Omit<RequestInit, 'dispatcher' | 'redirect'>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * fetch through a guarded dispatcher, kept open for reuse (keep-alive connections per origin).
 * The URL is checked again before each call, so a literal or a name refused since it was stored
 * fails with EgressRefusedError rather than as an opaque "fetch failed".
 */
export function createGuardedFetch(options: GuardOptions): GuardedFetch {
  const dispatcher = guardedDispatcher(options);
  const resolve = options.resolve ?? systemResolveAll;
  return {
    async fetch(url, init = {}) {
      await checkUrl(url, options.policy, resolve);
      try {
        return await fetch(url, {
          ...init,
          dispatcher,
          redirect: 'manual',
          // The whole exchange is bounded too, whatever signal the caller adds.
          signal: AbortSignal.any(
            [AbortSignal.timeout(options.timeoutMs), init.signal].filter(
              (x) => x !== undefined && x !== null,
            ),
          ),
        });
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause;
        throw cause instanceof EgressRefusedError ? cause : err;
      }
    },
    close: () => dispatcher.close(),
  };
}
