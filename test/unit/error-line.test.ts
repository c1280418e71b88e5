import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { errorLine } from '../../src/error-line.ts';
import { MailroomError } from '../../src/errors.ts';
import { isRedisConnectionError } from '../../src/queue/redis-outage.ts';
import { redisUnavailable } from '../../src/queue/redis-unavailable.ts';
import { withoutCredentials } from '../../src/security/url-credentials.ts';

describe('the one error line every process prints', () => {
  it('gives domain and configuration errors as written, anything else with its class name', () => {
    expect(errorLine(new ConfigError('invalid configuration: PORT is bad'))).toBe(
      'invalid configuration: PORT is bad',
    );
    expect(errorLine(new MailroomError('NOT_FOUND', 'mailbox m not found'))).toBe(
      'mailbox m not found',
    );
    expect(errorLine(new TypeError('boom\n    at somewhere'))).toBe('TypeError: boom');
  });

  it('names REDIS_URL without its password', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    });
    expect(errorLine(redisUnavailable('redis://:hunter2@redis.internal:6379/0', err))).toBe(
      'Redis is unreachable at REDIS_URL=redis://:***@redis.internal:6379/0 (connect ECONNREFUSED 10.0.0.1:6379)',
    );
    expect(withoutCredentials('postgres://app:s3cret@db:5432/mailroom')).toBe(
      'postgres://app:***@db:5432/mailroom',
    );
    expect(withoutCredentials('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('tells a Redis outage from a command error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    });
    expect(isRedisConnectionError(refused)).toBe(true);
    expect(isRedisConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisConnectionError(new Error('ERR unknown command'))).toBe(false);
    expect(isRedisConnectionError('ECONNREFUSED')).toBe(false);
  });
});
