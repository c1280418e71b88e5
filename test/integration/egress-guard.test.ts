import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGuardedFetch,
  EgressRefusedError,
  guardedDispatcher,
  type ResolveAll,
} from '../../src/security/egress-guard.ts';

/**
 * The egress guard against a real HTTP server on 127.0.0.1: the connect-time checks (a name that
 * re-binds to loopback after the check, IP literals handed straight to the dispatcher), the
 * `private` policy reaching it, redirects returned as they are, and the header timeout.
 */
let server: Server;
let port: number;
let connections = 0;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
    } else if (req.url === '/stall') {
      // Never answers: the header timeout must end the request.
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.url ?? ''}`);
    }
  });
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const v4 = (address: string): LookupAddress => ({ address, family: 4 });

/** A resolver that answers from a script, one answer list per call, and counts its calls. */
function scriptedResolver(...answers: string[][]): ResolveAll & { calls: number } {
  const resolve = Object.assign(
    (hostname: string) => {
      const answer = answers[Math.min(resolve.calls, answers.length - 1)] ?? [];
      resolve.calls += 1;
      return hostname.endsWith('.example.com')
        ? Promise.resolve(answer.map(v4))
        : Promise.reject(new Error(`unexpected name ${hostname}`));
    },
    { calls: 0 },
  );
  return resolve;
}

describe('egress guard at connect time', () => {
  it('reaches a server on 127.0.0.1 with the private policy, by literal and by name', async () => {
    const resolve = scriptedResolver(['127.0.0.1']);
    const client = createGuardedFetch({ policy: 'private', timeoutMs: 10_000, resolve });
    try {
      const byLiteral = await client.fetch(`http://127.0.0.1:${port}/literal`);
      expect(byLiteral.status).toBe(200);
      expect(await byLiteral.text()).toBe('ok /literal');
      const byName = await client.fetch(`http://receiver.example.com:${port}/name`);
      expect(await byName.text()).toBe('ok /name');
      // Once for the check and once more for the connection: the name is resolved again.
      expect(resolve.calls).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('refuses the same server with the public policy, without connecting', async () => {
    const client = createGuardedFetch({ policy: 'public', timeoutMs: 10_000 });
    const before = connections;
    try {
      await expect(client.fetch(`http://127.0.0.1:${port}/x`)).rejects.toThrow(
        /egress public.*127\.0\.0\.1 is loopback/,
      );
      await expect(client.fetch(`http://[::ffff:127.0.0.1]:${port}/x`)).rejects.toThrow(
        EgressRefusedError,
      );
      await expect(client.fetch(`http://2130706433:${port}/x`)).rejects.toThrow(/loopback/);
    } finally {
      await client.close();
    }
    expect(connections).toBe(before);
  });

  it('refuses a name that re-binds to 127.0.0.1 between the check and the connection', async () => {
    const resolve = scriptedResolver(['93.184.215.14'], ['127.0.0.1']);
    const client = createGuardedFetch({ policy: 'public', timeoutMs: 10_000, resolve });
    const before = connections;
    try {
      const attempt = client.fetch(`http://rebind.example.com:${port}/secret`);
      await expect(attempt).rejects.toThrow(EgressRefusedError);
      await expect(attempt).rejects.toThrow(
        /rebind\.example\.com resolves to 127\.0\.0\.1, loopback/,
      );
    } finally {
      await client.close();
    }
    expect(resolve.calls).toBe(2);
    expect(connections).toBe(before);
    expect(requests).not.toContain('/secret');
  });

  it('guards connections made through the dispatcher alone, without a prior check', async () => {
    const before = connections;
    const dispatcher = guardedDispatcher({
      policy: 'public',
      timeoutMs: 10_000,
      resolve: scriptedResolver(['8.8.8.8', '127.0.0.1']),
    });
    try {
      for (const url of [
        `http://127.0.0.1:${port}/direct`,
        `http://[::ffff:7f00:1]:${port}/direct`,
        `http://any.example.com:${port}/direct`,
      ]) {
        const failure = await undiciFetch(url, { dispatcher }).then(
          () => null,
          (err: unknown) => (err as { cause?: unknown }).cause,
        );
        expect(failure).toBeInstanceOf(EgressRefusedError);
      }
    } finally {
      await dispatcher.close();
    }
    expect(connections).toBe(before);
  });

  it('returns a redirect as the answer and does not follow it', async () => {
    const client = createGuardedFetch({ policy: 'private', timeoutMs: 10_000 });
    const seen = requests.length;
    try {
      const res = await client.fetch(`http://127.0.0.1:${port}/redirect`, { method: 'POST' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`http://127.0.0.1:${port}/target`);
    } finally {
      await client.close();
    }
    expect(requests.slice(seen)).toEqual(['/redirect']);
  });

  it('gives up on an endpoint that never sends its headers', async () => {
    const client = createGuardedFetch({ policy: 'private', timeoutMs: 300 });
    try {
      await expect(client.fetch(`http://127.0.0.1:${port}/stall`)).rejects.toThrow(
        /timeout|aborted/i,
      );
    } finally {
      await client.close();
    }
  });
});
