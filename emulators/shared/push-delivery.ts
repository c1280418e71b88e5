/**
 * Outgoing pushes, as both providers deliver them (provider-apis.md §A.7, §D.6): a JSON POST that
 * counts as delivered on any 2xx, and is otherwise (another status, no answer within 10 s, a
 * refused connection) tried again after a growing pause, then given up. Delivery is at-least-once,
 * so a receiver may see the same push twice. Sending never blocks the request that caused it, but
 * every attempt and pause is tracked, so `close()` (the emulator's onClose) cancels them and waits
 * until none is left running.
 */
export interface PushOutcome {
  /** Answered 2xx. */
  delivered(answerMs: number): void;
  /** An attempt failed and another one is scheduled. */
  retried(): void;
  /** The last attempt failed: the push is dropped. */
  failed(): void;
  /** Any answer (2xx or not), with how long it took. */
  answered?(answerMs: number): void;
}

export interface PushDeliveryOptions {
  /** Pauses before each retry; their count is the number of retries (Google and Graph: ~5). */
  backoffMs?: readonly number[];
  /** How long an attempt may wait for its answer (both providers: 10 s). */
  timeoutMs?: number;
}

export const DEFAULT_BACKOFF_MS: readonly number[] = [500, 1000, 2000, 4000, 8000];

export class PushDelivery {
  private readonly backoffMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly closing = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(options: PushDeliveryOptions = {}) {
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Starts delivering `body` to `url`; returns at once (fire and forget, but tracked). */
  send(
    url: string,
    body: unknown,
    outcome: PushOutcome,
    headers: () => Record<string, string> = () => ({}),
  ): void {
    if (this.closing.signal.aborted) {
      return;
    }
    const run = this.deliver(url, JSON.stringify(body), outcome, headers);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** How many pushes are still being tried (for tests waiting on a quiet emulator). */
  get pending(): number {
    return this.running.size;
  }

  /** Cancels pending retries and attempts in flight, then waits until every push has stopped. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.running]);
  }

  private async deliver(
    url: string,
    body: string,
    outcome: PushOutcome,
    headers: () => Record<string, string>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      const status = await this.attempt(url, body, headers());
      if (this.closing.signal.aborted) {
        return;
      }
      if (status !== null) {
        outcome.answered?.(Date.now() - started);
      }
      if (status !== null && status >= 200 && status < 300) {
        outcome.delivered(Date.now() - started);
        return;
      }
      const pause = this.backoffMs[attempt];
      if (pause === undefined) {
        outcome.failed();
        return;
      }
      outcome.retried();
      if (!(await this.sleep(pause))) {
        return;
      }
    }
  }

  /** The answer's status, or null when there was none in time (or the emulator is closing). */
  private async attempt(
    url: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<number | null> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      // Read the answer to the end so the connection goes back to the pool.
      await res.arrayBuffer();
      return res.status;
    } catch {
      return null;
    }
  }

  /** Waits `ms`; false when the emulator closed meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.closing.signal;
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve(false);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
