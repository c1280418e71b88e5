import { recordProviderError } from '../../observability/metrics.ts';
import { isTimedOut, ProviderError, parseRetryAfter } from '../provider-error.ts';

/**
 * Microsoft Graph and identity-platform failures → ProviderError (each counted for `/metrics`
 * where it is classified). The classification itself is pure, testable on plain objects
 * shaped like the SDK's GraphError (`statusCode`, `code`, `headers`) or a token-endpoint answer
 * (`{ error, error_description, error_codes }`). Keys on `error`, not AADSTS numbers, as Microsoft
 * advises (provider-apis.md §D.4, §D.7).
 */
interface GraphErrorLike {
  statusCode?: number;
  code?: string | null;
  message?: string;
  headers?: { get?: (name: string) => string | null } | Record<string, string>;
  body?: unknown;
}

const AUTH_ERRORS = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
]);
const CLIENT_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'unsupported_grant_type',
]);
const CURSOR_CODES = new Set([
  'syncStateNotFound',
  'resyncRequired',
  'SyncStateInvalid',
  'syncStateInvalid',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

function retryAfter(err: GraphErrorLike): number | undefined {
  const h = err.headers;
  if (!h) {
    return undefined;
  }
  const value =
    typeof (h as { get?: unknown }).get === 'function'
      ? (h as { get: (n: string) => string | null }).get('retry-after')
      : (h as Record<string, string>)['retry-after'];
  return parseRetryAfter(value ?? undefined);
}

/** A token endpoint's JSON error body (`{ error, error_description }`). */
export function parseTokenError(status: number, body: unknown): ProviderError {
  const classified = classifyTokenError(status, body);
  recordProviderError('microsoft', classified.kind);
  return classified;
}

function classifyTokenError(status: number, body: unknown): ProviderError {
  const error = (body as { error?: string } | null)?.error ?? '';
  const description =
    ((body as { error_description?: string } | null)?.error_description ?? '').split('\r\n')[0] ??
    '';
  if (AUTH_ERRORS.has(error)) {
    return new ProviderError(
      'AUTH_REVOKED',
      `Microsoft refused the refresh token (${error}: ${description})`,
      { status },
    );
  }
  if (CLIENT_ERRORS.has(error)) {
    return new ProviderError(
      'PERMANENT',
      `Microsoft rejected the OAuth client (${error}: ${description})`,
      { status },
    );
  }
  if (status === 429 || status >= 500) {
    return new ProviderError(
      status === 429 ? 'RATE_LIMITED' : 'TRANSIENT',
      `Microsoft token endpoint ${status}`,
      { status },
    );
  }
  return new ProviderError(
    'PERMANENT',
    `Microsoft token endpoint ${status}: ${error || 'unknown error'}`,
    { status },
  );
}

/** `send`: a send or draft call, whose 403 means the grant lacks Mail.Send or Mail.ReadWrite. */
export type GraphCallContext = 'send' | 'other';

/** Classifies a Graph failure, counted once in `mailroom_provider_errors_total`. */
export function parseGraphError(err: unknown, context: GraphCallContext = 'other'): ProviderError {
  if (err instanceof ProviderError) {
    // Classified (and counted) before: a token endpoint error, or an outer call passing it on.
    return err;
  }
  const classified = classifyGraphError(err, context);
  recordProviderError('microsoft', classified.kind);
  return classified;
}

function classifyGraphError(err: unknown, context: GraphCallContext): ProviderError {
  if (err instanceof ProviderError) {
    return err;
  }
  const e = (err ?? {}) as GraphErrorLike;
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : undefined;
  const code = e.code ?? '';
  const opts = { status, cause: err, retryAfterMs: retryAfter(e) };
  if (status === undefined && isTimedOut(err)) {
    return new ProviderError('TRANSIENT', 'Graph timed out (no answer in time)', opts);
  }
  if (status === undefined) {
    return new ProviderError(
      'TRANSIENT',
      NETWORK_CODES.has(code)
        ? `network error ${code}`
        : `no response: ${e.message ?? String(err)}`,
      opts,
    );
  }
  if (CURSOR_CODES.has(code) || status === 410) {
    return new ProviderError(
      'CURSOR_INVALID',
      `Graph delta token expired (${code || status})`,
      opts,
    );
  }
  if (status === 429 || (status === 503 && opts.retryAfterMs !== undefined)) {
    return new ProviderError(
      'RATE_LIMITED',
      `Graph throttled the mailbox (${code || status})`,
      opts,
    );
  }
  if (context === 'send' && status === 403) {
    return new ProviderError(
      'SCOPE_MISSING',
      `Microsoft did not grant this mailbox permission to send mail (Mail.Send, Mail.ReadWrite; ${code || status})`,
      opts,
    );
  }
  if (status === 401 || (status === 403 && /accessdenied|authorization/i.test(code))) {
    return new ProviderError(
      'AUTH_REVOKED',
      `Graph refused our credentials (${code || status})`,
      opts,
    );
  }
  if (status === 404) {
    return new ProviderError('NOT_FOUND', `Graph resource not found (${code || status})`, opts);
  }
  // 501: the server does not implement the call at all; retrying cannot help.
  if (status === 408 || (status >= 500 && status !== 501)) {
    return new ProviderError('TRANSIENT', `Graph ${status} ${code}`.trim(), opts);
  }
  return new ProviderError('PERMANENT', `Graph ${status} ${code}`.trim(), opts);
}
