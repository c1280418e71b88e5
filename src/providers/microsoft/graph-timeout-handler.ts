import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

/**
 * Graph SDK middleware that gives every request (each retry of the SDK's own RetryHandler too) an
 * abort signal that fires after `timeoutMs`: the SDK sets none, so a Graph answer that never comes
 * would hold the sync job, and its lock, for ever. The signal also covers reading the body (a
 * `$value` stream). An aborted request surfaces as a status -1 GraphError named TimeoutError,
 * classified transient (parse-graph-error.ts). It sits just before the SDK's HTTP handler.
 */
export class GraphTimeoutHandler implements Middleware {
  private next: Middleware | undefined;
  private readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  async execute(context: Context): Promise<void> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const own = context.options?.signal;
    context.options = {
      ...context.options,
      signal: own ? AbortSignal.any([own, timeout]) : timeout,
    };
    if (this.next) {
      // The SDK's Middleware.execute, not SQL (the lint rule keys on the name).
      // eslint-disable-next-line no-restricted-syntax
      await this.next.execute(context);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
