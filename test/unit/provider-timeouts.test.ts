import { describe, expect, it } from 'vitest';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { parseGmailError } from '../../src/providers/google/parse-google-error.ts';
import { GraphTimeoutHandler } from '../../src/providers/microsoft/graph-timeout-handler.ts';
import { parseGraphError } from '../../src/providers/microsoft/parse-graph-error.ts';
import { isTimedOut } from '../../src/providers/provider-error.ts';

describe('a timed-out provider call is transient', () => {
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');

  it.each([
    ['AbortSignal.timeout (native fetch)', timeout],
    ['node-fetch under gaxios', { name: 'AbortError', message: 'The operation was aborted.' }],
    ['gaxios wrapping it', { message: 'aborted', cause: { name: 'AbortError' } }],
    ['the Graph SDK (status -1, name kept as code)', { statusCode: -1, code: 'TimeoutError' }],
  ])('%s', (_label, err) => {
    expect(isTimedOut(err)).toBe(true);
  });

  it('classified as TRANSIENT by both classifiers, saying it timed out', () => {
    const google = parseGmailError(
      { message: 'aborted', cause: { name: 'AbortError' } },
      'message',
    );
    expect(google.kind).toBe('TRANSIENT');
    expect(google.message).toMatch(/timed out/);
    const graph = parseGraphError({ statusCode: -1, code: 'TimeoutError', message: 'aborted' });
    expect(graph.kind).toBe('TRANSIENT');
    expect(graph.message).toMatch(/timed out/);
  });

  it('other failures are not taken for timeouts', () => {
    expect(isTimedOut(new Error('socket hang up'))).toBe(false);
    expect(isTimedOut({ code: 'ECONNRESET' })).toBe(false);
    expect(isTimedOut(null)).toBe(false);
  });
});

describe('GraphTimeoutHandler', () => {
  it('gives each request its own abort signal, keeping one the caller set', async () => {
    const seen: (AbortSignal | null | undefined)[] = [];
    const last: Middleware = {
      execute: (context: Context) => {
        seen.push(context.options?.signal);
        return Promise.resolve();
      },
    };
    const handler = new GraphTimeoutHandler(60_000);
    handler.setNext(last);
    await handler.execute({ request: 'https://graph.test/v1.0/me', options: {} });
    const caller = new AbortController();
    await handler.execute({
      request: 'https://graph.test/v1.0/me',
      options: { signal: caller.signal },
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(seen[0]?.aborted).toBe(false);
    caller.abort();
    expect(seen[1]?.aborted).toBe(true);
  });

  it('the signal fires after the timeout', async () => {
    let signal: AbortSignal | undefined;
    const handler = new GraphTimeoutHandler(5);
    handler.setNext({
      execute: (context: Context) => {
        signal = context.options?.signal as AbortSignal | undefined;
        return new Promise((resolve) => {
          signal?.addEventListener('abort', () => {
            resolve();
          });
        });
      },
    });
    await handler.execute({ request: 'https://graph.test/v1.0/me', options: {} });
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as Error).name).toBe('TimeoutError');
  });
});
