import { performance } from 'node:perf_hooks';
import type { GuardedFetch } from '../security/egress-guard.ts';
import type { WebhookSignatureHeaders } from '../security/webhook-signature.ts';

/** How much of a response body the attempt log keeps (Svix and Stripe show about this much). */
export const RESPONSE_BODY_BYTES = 1024;

export interface PostResult {
  responseStatus: number | null;
  durationMs: number;
  /** Why the attempt did not deliver: a non-2xx status, a timeout, a refused connection… */
  error: string | null;
  responseBody: string | null;
}

/**
 * POSTs one signed body and reports what happened, never throwing for what the endpoint or the
 * network did (that is the attempt's result, logged and retried). The guarded fetch bounds the
 * whole exchange by `MAILROOM_WEBHOOK_TIMEOUT_MS`, checks the address at connect time and never
 * follows a redirect (a 3xx is a failed attempt). Only the first 1 KB of the body is read; the
 * rest is discarded with the connection's stream.
 */
export async function postWebhook(
  http: GuardedFetch,
  url: string,
  headers: WebhookSignatureHeaders,
  body: string,
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await http.fetch(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'user-agent': 'Mailroom-Webhooks/1',
      },
      body,
    });
    const responseBody = await readPrefix(res.body, RESPONSE_BODY_BYTES);
    const ok = res.status >= 200 && res.status < 300;
    return {
      responseStatus: res.status,
      durationMs: elapsed(),
      error: ok ? null : `HTTP ${String(res.status)}`,
      responseBody,
    };
  } catch (err) {
    return {
      responseStatus: null,
      durationMs: elapsed(),
      error: describe(err),
      responseBody: null,
    };
  }
}

async function readPrefix(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<string | null> {
  if (stream === null) {
    return null;
  }
  const reader = stream.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      chunks.push(Buffer.from(value));
      size += value.byteLength;
    }
  } catch {
    // A body cut off or too slow: keep what arrived; the status already says how it went.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** One short line: the cause undici wraps in "fetch failed" is the useful part. */
function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return 'timed out';
  }
  if (e.name === 'EgressRefusedError') {
    return e.message ?? 'egress refused';
  }
  const cause = e.cause;
  if (cause?.code !== undefined) {
    return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  }
  return cause?.message ?? e.message ?? String(err);
}
