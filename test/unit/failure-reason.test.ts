import { randomBytes } from 'node:crypto';
import { ConnectionException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/provider-error.ts';
import { failureDetails, failureReason } from '../../src/queue/failure-reason.ts';
import { SecretBox } from '../../src/security/secret-box.ts';

/** A job failure as one short classified line (the database case runs for real in last-error.test.ts). */
describe('failureReason', () => {
  it.each([
    [
      new ProviderError('RATE_LIMITED', 'Gmail rate limit (rateLimitExceeded)', { status: 429 }),
      'provider: rate limited (429): Gmail rate limit (rateLimitExceeded)',
    ],
    [
      new ProviderError('AUTH_REVOKED', 'invalid_grant: Token has been expired or revoked.', {
        status: 400,
      }),
      'provider: access revoked (400): invalid_grant: Token has been expired or revoked.',
    ],
    [
      new ProviderError('TRANSIENT', 'network error ECONNRESET'),
      'provider: temporarily unavailable: network error ECONNRESET',
    ],
    [
      new TypeError('Cannot read properties of undefined\n  (reading "x")'),
      'TypeError: Cannot read properties of undefined (reading "x")',
    ],
  ])('%s → %j', (err, reason) => {
    expect(failureReason(err)).toBe(reason);
  });

  it('classifies a database error found among the causes, without its statement', () => {
    const body = 'secret body '.repeat(10_000);
    const driver = new ConnectionException(
      Object.assign(new Error(`insert into email values ('${body}') - Connection terminated`), {
        code: 'ECONNRESET',
      }),
    );
    const reason = failureReason(new Error('batch failed', { cause: driver }));
    expect(reason).toBe('database: Connection terminated (ECONNRESET)');
  });

  it('keeps a configuration error as its own line naming the setting, even when wrapped', () => {
    const sealed = new SecretBox(randomBytes(32).toString('base64')).seal('token');
    let err: unknown;
    try {
      new SecretBox(randomBytes(32).toString('base64')).open(sealed);
    } catch (e) {
      err = e;
    }
    expect(failureReason(err)).toMatch(/^MAILROOM_ENCRYPTION_KEY .*MAILROOM_ENCRYPTION_KEYS_OLD/);
    const wrapped = new ProviderError('PERMANENT', 'Graph 0', { cause: err });
    expect(failureReason(wrapped)).toBe(failureReason(err));
  });

  it('is at most 300 characters, on one line, whatever the error says', () => {
    const reason = failureReason(new Error(`a\n${'x'.repeat(200_000)}`));
    expect(reason.length).toBeLessThanOrEqual(300);
    expect(reason).not.toContain('\n');
  });

  it('gives debug logs the frames and codes of the chain, not the message', () => {
    const err = new Error('select secret body', {
      cause: Object.assign(new Error('insert into x - boom'), { code: '22007' }),
    });
    const details = failureDetails(err);
    expect(JSON.stringify(details.chain)).not.toMatch(/secret body|insert into/);
    expect(details.chain).toMatchObject([{ name: 'Error' }, { name: 'Error', code: '22007' }]);
  });
});
