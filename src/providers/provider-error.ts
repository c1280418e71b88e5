/**
 * Every provider failure is classified once, where it happens, into this closed set; the retry
 * policy (src/sync/decide-retry.ts) maps kinds to actions in one place.
 */
export type ProviderErrorKind =
  'AUTH_REVOKED' | 'RATE_LIMITED' | 'CURSOR_INVALID' | 'NOT_FOUND' | 'TRANSIENT' | 'PERMANENT';

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
