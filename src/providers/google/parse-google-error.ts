import { recordProviderError } from '../../observability/metrics.ts';
import { isTimedOut, ProviderError, parseRetryAfter } from '../provider-error.ts';

/**
 * Gmail/Google OAuth failures → ProviderError. The classification (`classifyGmailError`) is pure:
 * no I/O, testable on plain objects shaped like GaxiosError (`status`, `response.{status,headers,
 * data}`, `code`); `parseGmailError` also counts it for `/metrics`.
 * References: provider-apis.md §A.10 (statuses and reasons), §C.1 (invalid_grant).
 */
/** `calendar-sync`: Calendar's events.list, whose 410 means "full sync required" (§B.2). */
/** `send`: messages.send, whose 403 insufficientPermissions means the send scope is missing. */
export type GmailCallContext = 'history' | 'message' | 'calendar-sync' | 'send' | 'other';

interface GaxiosLike {
  message?: string;
  code?: string | number;
  status?: number;
  response?: {
    status?: number;
    headers?: Record<string, string> | { get?: (name: string) => string | null };
    data?: unknown;
  };
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

function header(err: GaxiosLike, name: string): string | undefined {
  const headers = err.response?.headers;
  if (!headers) {
    return undefined;
  }
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get: (n: string) => string | null }).get(name) ?? undefined;
  }
  return (headers as Record<string, string>)[name];
}

function reasons(data: unknown): { oauthError?: string; reasons: string[] } {
  if (typeof data !== 'object' || data === null) {
    return { reasons: [] };
  }
  const d = data as { error?: unknown };
  if (typeof d.error === 'string') {
    return { oauthError: d.error, reasons: [] };
  }
  const errors = (d.error as { errors?: { reason?: string }[] } | undefined)?.errors ?? [];
  return { reasons: errors.map((e) => e.reason ?? '').filter(Boolean) };
}

/** Classifies a Gmail/Calendar/token failure, counted once in `mailroom_provider_errors_total`. */
export function parseGmailError(err: unknown, context: GmailCallContext): ProviderError {
  if (err instanceof ProviderError) {
    // Classified (and counted) before; passed through again by an outer call.
    return err;
  }
  const classified = classifyGmailError(err, context);
  recordProviderError('google', classified.kind);
  return classified;
}

function classifyGmailError(err: unknown, context: GmailCallContext): ProviderError {
  if (err instanceof ProviderError) {
    return err;
  }
  const e = (err ?? {}) as GaxiosLike;
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
  const message = e.message ?? String(err);
  const { oauthError, reasons: why } = reasons(e.response?.data);
  const opts = { status, cause: err };

  if (oauthError === 'invalid_grant' || message === 'invalid_grant') {
    return new ProviderError(
      'AUTH_REVOKED',
      'Google refused the refresh token (invalid_grant)',
      opts,
    );
  }
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client') {
    return new ProviderError('PERMANENT', `Google OAuth client rejected (${oauthError})`, opts);
  }
  if (status === undefined) {
    if (isTimedOut(err)) {
      return new ProviderError('TRANSIENT', 'Google timed out (no answer in time)', opts);
    }
    const code = typeof e.code === 'string' ? e.code : undefined;
    return code && NETWORK_CODES.has(code)
      ? new ProviderError('TRANSIENT', `network error ${code}`, opts)
      : new ProviderError('TRANSIENT', `no response: ${message}`, opts);
  }
  const retryAfterMs = parseRetryAfter(header(e, 'retry-after'));
  if (status === 429 || (status === 403 && why.some((r) => RATE_REASONS.has(r)))) {
    return new ProviderError('RATE_LIMITED', `Gmail rate limit (${why.join(',') || status})`, {
      ...opts,
      retryAfterMs,
    });
  }
  if (status === 403 && why.includes('dailyLimitExceeded')) {
    return new ProviderError('RATE_LIMITED', 'Gmail daily limit exceeded', {
      ...opts,
      retryAfterMs: retryAfterMs ?? 3_600_000,
    });
  }
  // Calendar access is a scope of its own (users can decline it in Google's granular consent):
  // without it the calendar is unavailable, the mailbox's mail is not.
  if (context === 'calendar-sync' && status === 403) {
    return new ProviderError(
      'PERMANENT',
      `Google Calendar access was not granted (${why.join(',') || status})`,
      opts,
    );
  }
  if (context === 'send' && status === 403 && why.includes('insufficientPermissions')) {
    return new ProviderError(
      'SCOPE_MISSING',
      'Google did not grant this mailbox permission to send mail (gmail.send)',
      opts,
    );
  }
  if (status === 401 || (status === 403 && why.includes('insufficientPermissions'))) {
    return new ProviderError('AUTH_REVOKED', `Gmail refused our credentials (${status})`, opts);
  }
  if (context === 'calendar-sync' && status === 410) {
    return new ProviderError(
      'CURSOR_INVALID',
      `Calendar sync token expired (${why.join(',')})`,
      opts,
    );
  }
  if (status === 404 || status === 410) {
    return context === 'history'
      ? new ProviderError('CURSOR_INVALID', 'Gmail history id is too old', opts)
      : new ProviderError('NOT_FOUND', 'Gmail resource not found', opts);
  }
  // 501: the server does not implement the call at all; retrying cannot help.
  if (status === 408 || (status >= 500 && status !== 501)) {
    return new ProviderError('TRANSIENT', `Gmail ${status}: ${message}`, { ...opts, retryAfterMs });
  }
  return new ProviderError('PERMANENT', `Gmail ${status}: ${message}`, opts);
}
