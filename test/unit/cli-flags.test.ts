import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { errorLine } from '../../src/cli/output.ts';
import { flagsTakenByNpm, npmFlagsMessage } from '../../src/cli/npm-flags.ts';
import { parseWindowBound } from '../../src/cli/time-flags.ts';

describe('calendar window bounds', () => {
  it('reads a plain date as its whole day in UTC', () => {
    expect(parseWindowBound('from', '2026-12-01', 'start').toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
    expect(parseWindowBound('to', '2026-12-01', 'end').toISOString()).toBe(
      '2026-12-02T00:00:00.000Z',
    );
    expect(parseWindowBound('to', '2026-12-31', 'end').toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('keeps date-times with an offset as the instant they name', () => {
    expect(parseWindowBound('from', '2026-12-01T09:30:00+02:00', 'start').toISOString()).toBe(
      '2026-12-01T07:30:00.000Z',
    );
    expect(parseWindowBound('to', '2026-12-01T09:30:00Z', 'end').toISOString()).toBe(
      '2026-12-01T09:30:00.000Z',
    );
  });

  it.each(['yesterday', '2026-13-01', '2026-12-01T09:30:00', '01/12/2026', ''])(
    'refuses %j naming the flag',
    (value) => {
      expect(() => parseWindowBound('from', value, 'start')).toThrow(InvalidInputError);
      expect(() => parseWindowBound('from', value, 'start')).toThrow(
        /^--from: must be a date \(2026-12-01\) or an ISO 8601 date-time/,
      );
    },
  );
});

describe('CLI error line', () => {
  it('prints a plain error as its message, without "Error: "', () => {
    expect(errorLine(new Error('boom'))).toBe('boom');
    expect(errorLine(new Error('Error: nested boom'))).toBe('nested boom');
    expect(errorLine(new Error('error: Error: twice'))).toBe('twice');
  });

  it('keeps a specific class name, the first line only', () => {
    expect(errorLine(new TypeError('x is not a function\n    at y'))).toBe(
      'TypeError: x is not a function',
    );
  });

  it('prints domain and configuration errors as they are', () => {
    expect(errorLine(new InvalidInputError('--mailbox: must be an id'))).toBe(
      '--mailbox: must be an id',
    );
    expect(errorLine(new ConfigError('DATABASE_URL must be a URL'))).toBe(
      'DATABASE_URL must be a URL',
    );
  });

  it('says a refused connection is one', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(errorLine(err)).toBe('cannot connect: connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('flags npm took for itself', () => {
  it('names the command flags npm kept as npm_config_* when run by npm', () => {
    const env = { npm_lifecycle_event: 'mailroom', npm_config_mailbox: 'true' };
    expect(flagsTakenByNpm(['--mailbox', '--refresh-token'], env)).toEqual(['--mailbox']);
    expect(
      flagsTakenByNpm(['--refresh-token'], { ...env, npm_config_refresh_token: 'true' }),
    ).toEqual(['--refresh-token']);
    expect(npmFlagsMessage('sync', ['--mailbox'])).toBe(
      'npm took --mailbox as its own flag: put -- before the command (npm run --silent mailroom -- sync …) or run npx mailroom sync …',
    );
  });

  it('says nothing outside npm', () => {
    expect(flagsTakenByNpm(['--mailbox'], { npm_config_mailbox: 'true' })).toEqual([]);
  });
});
