import { describe, expect, it } from 'vitest';
import {
  parseGraphError,
  parseTokenError,
} from '../../src/providers/microsoft/parse-graph-error.ts';

describe('parseGraphError', () => {
  const graph = (statusCode: number, code: string, headers: Record<string, string> = {}) => ({
    statusCode,
    code,
    headers,
    message: code,
  });
  it.each([
    [graph(410, 'syncStateNotFound'), 'CURSOR_INVALID'],
    [graph(400, 'resyncRequired'), 'CURSOR_INVALID'],
    [graph(429, 'TooManyRequests', { 'retry-after': '3' }), 'RATE_LIMITED'],
    [graph(429, 'ApplicationThrottled'), 'RATE_LIMITED'],
    [graph(503, 'ServiceUnavailable', { 'retry-after': '10' }), 'RATE_LIMITED'],
    [graph(503, 'ServiceUnavailable'), 'TRANSIENT'],
    [graph(504, 'GatewayTimeout'), 'TRANSIENT'],
    [graph(401, 'InvalidAuthenticationToken'), 'AUTH_REVOKED'],
    [graph(403, 'ErrorAccessDenied'), 'AUTH_REVOKED'],
    [graph(404, 'ErrorItemNotFound'), 'NOT_FOUND'],
    [graph(400, 'BadRequest'), 'PERMANENT'],
    [{ statusCode: -1, code: 'ECONNRESET', message: 'reset' }, 'TRANSIENT'],
  ])('%j → %s', (err, kind) => {
    expect(parseGraphError(err).kind).toBe(kind);
  });

  it('keeps Retry-After', () => {
    expect(
      parseGraphError(graph(429, 'TooManyRequests', { 'retry-after': '3' })).retryAfterMs,
    ).toBe(3000);
  });
});

describe('parseTokenError', () => {
  it.each([
    [
      400,
      {
        error: 'invalid_grant',
        error_description: 'AADSTS70008: expired\r\nTrace ID: x',
        error_codes: [70008],
      },
      'AUTH_REVOKED',
    ],
    [400, { error: 'interaction_required', error_description: 'AADSTS50076: MFA' }, 'AUTH_REVOKED'],
    [401, { error: 'invalid_client', error_description: 'AADSTS7000215: bad secret' }, 'PERMANENT'],
    [503, null, 'TRANSIENT'],
    [429, {}, 'RATE_LIMITED'],
  ])('%i %j → %s', (status, body, kind) => {
    const err = parseTokenError(status, body);
    expect(err.kind).toBe(kind);
    expect(err.message).not.toContain('Trace ID');
  });
});
