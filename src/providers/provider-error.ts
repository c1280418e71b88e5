/**
 * Every provider failure is classified once, where it happens, into this closed set; the retry
 * policy (src/sync/decide-retry.ts) maps kinds to actions in one place.
 */
export type ProviderErrorKind =
  | 'AUTH_REVOKED'
  /** The grant works but lacks a scope the call needs (sending, for a mailbox consented before). */
  | 'SCOPE_MISSING'
  | 'RATE_LIMITED'
  | 'CURSOR_INVALID'
  | 'NOT_FOUND'
  | 'TRANSIENT'
  | 'PERMANENT';

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  /** For RATE_LIMITED: how long the provider asked us to wait (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    opts: { retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.kind = kind;
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
  }
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(value.trim())) {
    return Math.round(Number(value) * 1000);
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * True for a request our own timeout ended: the DOMException `TimeoutError` of
 * `AbortSignal.timeout` (native fetch, the Graph SDK, which keeps the name as its error code) or
 * the `AbortError` node-fetch raises for it under gaxios. Mailroom aborts provider requests for
 * no other reason, so an abort is a timeout.
 */
export function isTimedOut(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if ([name, code].some((v) => v === 'TimeoutError' || v === 'AbortError')) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
