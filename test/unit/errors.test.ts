import { describe, expect, it } from 'vitest';
import {
  HTTP_STATUS_BY_CODE,
  InvalidInputError,
  MailroomError,
  NotFoundError,
  httpStatusOf,
} from '../../src/errors.ts';

describe('error codes', () => {
  it('gives the API codes product.md names their statuses', () => {
    expect(httpStatusOf('INVALID_INPUT')).toBe(400);
    expect(httpStatusOf('UNAUTHENTICATED')).toBe(401);
    expect(httpStatusOf('NOT_FOUND')).toBe(404);
    expect(httpStatusOf('CONFLICT')).toBe(409);
    expect(httpStatusOf('RATE_LIMITED')).toBe(429);
  });

  it('keeps the statuses the OAuth routes answered before', () => {
    expect(httpStatusOf('OAUTH_DENIED')).toBe(400);
    expect(httpStatusOf('OAUTH_NO_REFRESH_TOKEN')).toBe(400);
    expect(httpStatusOf('OAUTH_EXCHANGE_FAILED')).toBe(502);
    expect(httpStatusOf('OAUTH_NOT_CONFIGURED')).toBe(503);
  });

  it('maps every code to an HTTP error status', () => {
    for (const status of Object.values(HTTP_STATUS_BY_CODE)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('carries the code on the error subclasses', () => {
    expect(new NotFoundError('x')).toMatchObject({ code: 'NOT_FOUND', name: 'NotFoundError' });
    expect(new InvalidInputError('x')).toMatchObject({ code: 'INVALID_INPUT' });
    expect(new MailroomError('SYNC_FAILED', 'boom').message).toBe('boom');
  });
});
