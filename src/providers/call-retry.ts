import { ProviderError } from './provider-error.ts';

/**
 * In-place retry for one provider call: a short Retry-After (≤ maxInlineWaitMs) or a transient
 * failure is waited out here, so one throttled request does not restart a whole sync job. Longer
 * waits, auth failures and everything else go up to the job's policy (src/sync/decide-retry.ts).
 */
export interface CallRetryOptions {
  attempts?: number;
  maxInlineWaitMs?: number;
  baseDelayMs?: number;
  /**
   * False for a request that is not safe to repeat (a send): a transient failure may have
   * happened after the provider acted, so only refusals that prove nothing happened (a rate
   * limit) are retried.
   */
  retryTransient?: boolean;
}

export async function withCallRetry<T>(
  run: () => Promise<T>,
  options: CallRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const maxInline = options.maxInlineWaitMs ?? 5_000;
  const base = options.baseDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ProviderError) || attempt >= attempts) {
        throw err;
      }
      const backoff = base * 2 ** (attempt - 1) * (0.5 + Math.random());
      let wait: number;
      if (err.kind === 'RATE_LIMITED') {
        wait = err.retryAfterMs ?? backoff * 4;
      } else if (err.kind === 'TRANSIENT' && options.retryTransient !== false) {
        wait = err.retryAfterMs ?? backoff;
      } else {
        throw err;
      }
      if (wait > maxInline) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
