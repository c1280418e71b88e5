import { describe, expect, it } from 'vitest';
import { parseGmailError } from '../../src/providers/google/parse-google-error.ts';
import { ProviderError, parseRetryAfter } from '../../src/providers/provider-error.ts';
import { decideRetry, isFinalAttempt } from '../../src/queue/decide-retry.ts';
import { SecretBoxError } from '../../src/security/secret-box.ts';

/** Shaped like a GaxiosError: `response.{status,headers,data}`. */
const gaxios = (status: number, data: unknown, headers: Record<string, string> = {}) => ({
  message: 'request failed',
  status,
  response: { status, headers, data },
});
const googleBody = (code: number, reason: string) => ({
  error: { code, message: reason, errors: [{ reason, domain: 'usageLimits' }] },
});

describe('parseGmailError', () => {
  it.each([
    [
      'token refresh refused',
      gaxios(400, {
        error: 'invalid_grant',
        error_description: 'Token has been expired or revoked.',
      }),
      'other',
      'AUTH_REVOKED',
    ],
    ['bare invalid_grant message', { message: 'invalid_grant' }, 'other', 'AUTH_REVOKED'],
    ['401 after refresh', gaxios(401, googleBody(401, 'authError')), 'message', 'AUTH_REVOKED'],
    [
      'scope removed',
      gaxios(403, googleBody(403, 'insufficientPermissions')),
      'other',
      'AUTH_REVOKED',
    ],
    [
      'per-user quota',
      gaxios(403, googleBody(403, 'userRateLimitExceeded')),
      'message',
      'RATE_LIMITED',
    ],
    ['project quota', gaxios(403, googleBody(403, 'rateLimitExceeded')), 'message', 'RATE_LIMITED'],
    ['daily limit', gaxios(403, googleBody(403, 'dailyLimitExceeded')), 'message', 'RATE_LIMITED'],
    [
      '429',
      gaxios(429, googleBody(429, 'rateLimitExceeded'), { 'retry-after': '7' }),
      'message',
      'RATE_LIMITED',
    ],
    ['history too old', gaxios(404, googleBody(404, 'notFound')), 'history', 'CURSOR_INVALID'],
    ['message gone', gaxios(404, googleBody(404, 'notFound')), 'message', 'NOT_FOUND'],
    ['backend error', gaxios(500, googleBody(500, 'backendError')), 'message', 'TRANSIENT'],
    ['unavailable', gaxios(503, {}), 'other', 'TRANSIENT'],
    ['connection reset', { message: 'socket hang up', code: 'ECONNRESET' }, 'other', 'TRANSIENT'],
    ['bad request', gaxios(400, googleBody(400, 'invalidArgument')), 'other', 'PERMANENT'],
    ['bad client', gaxios(401, { error: 'invalid_client' }), 'other', 'PERMANENT'],
    ['not implemented', gaxios(501, {}), 'other', 'PERMANENT'],
    [
      'calendar token expired',
      gaxios(410, googleBody(410, 'fullSyncRequired')),
      'calendar-sync',
      'CURSOR_INVALID',
    ],
    [
      'calendar scope declined',
      gaxios(403, googleBody(403, 'insufficientPermissions')),
      'calendar-sync',
      'PERMANENT',
    ],
    [
      'calendar quota',
      gaxios(403, googleBody(403, 'userRateLimitExceeded')),
      'calendar-sync',
      'RATE_LIMITED',
    ],
    ['calendar gone', gaxios(404, googleBody(404, 'notFound')), 'calendar-sync', 'NOT_FOUND'],
    ['calendar 401', gaxios(401, googleBody(401, 'authError')), 'calendar-sync', 'AUTH_REVOKED'],
  ] as const)('%s → %s', (_name, err, context, kind) => {
    expect(parseGmailError(err, context).kind).toBe(kind);
  });

  it('keeps Retry-After, in seconds or as a date', () => {
    expect(parseGmailError(gaxios(429, {}, { 'retry-after': '7' }), 'message').retryAfterMs).toBe(
      7000,
    );
    expect(
      parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:27:30 GMT')),
    ).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('daily limits wait an hour when Google gives no Retry-After', () => {
    expect(
      parseGmailError(gaxios(403, googleBody(403, 'dailyLimitExceeded')), 'message').retryAfterMs,
    ).toBe(3_600_000);
  });
});

describe('decideRetry', () => {
  it.each([
    [new ProviderError('TRANSIENT', 'x'), { action: 'retry' }],
    [new ProviderError('AUTH_REVOKED', 'x'), { action: 'reauth' }],
    [new ProviderError('PERMANENT', 'x'), { action: 'fail' }],
    [new ProviderError('NOT_FOUND', 'x'), { action: 'fail' }],
    [new Error('database went away'), { action: 'retry' }],
  ])('%s → %j', (err, decision) => {
    expect(decideRetry(err, () => 0)).toEqual(decision);
  });

  it('a key that cannot open the stored credentials is a configuration error, even when wrapped', () => {
    const wrongKey = new SecretBoxError('MAILROOM_ENCRYPTION_KEY cannot open a stored secret');
    expect(decideRetry(wrongKey)).toEqual({ action: 'config' });
    // The Graph SDK's auth provider failure, classified as a network error by the adapter.
    expect(decideRetry(new ProviderError('TRANSIENT', 'no response', { cause: wrongKey }))).toEqual(
      { action: 'config' },
    );
  });

  it('rate limits delay by Retry-After plus jitter, without using an attempt', () => {
    expect(
      decideRetry(new ProviderError('RATE_LIMITED', 'x', { retryAfterMs: 10_000 }), () => 0.5),
    ).toEqual({ action: 'delay', delayMs: 11_000 });
    expect(decideRetry(new ProviderError('RATE_LIMITED', 'x'), () => 0)).toEqual({
      action: 'delay',
      delayMs: 15_000,
    });
    expect(
      decideRetry(
        new ProviderError('RATE_LIMITED', 'x', { retryAfterMs: 10 * 3_600_000 }),
        () => 0,
      ),
    ).toEqual({ action: 'delay', delayMs: 3_600_000 });
  });

  it.each([
    [0, 1, true],
    [0, 6, false],
    [5, 6, true],
    [4, 6, false],
    [0, undefined, true],
  ])('attemptsMade %i of %s: final = %s', (made, attempts, final) => {
    expect(isFinalAttempt(made, attempts)).toBe(final);
  });
});
