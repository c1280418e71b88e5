import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';

describe('MAILROOM_MESSAGE_RETRY_SECONDS', () => {
  it('defaults to retries after 1 h, 6 h, 24 h and 24 h (five attempts in all)', () => {
    expect(parseConfig({}).sync.messageRetrySeconds).toEqual([3600, 21600, 86400, 86400]);
  });

  it.each([
    ['0, 0', [0, 0]],
    ['60', [60]],
    ['none', []],
  ])('%j → %j', (value, delays) => {
    expect(parseConfig({ MAILROOM_MESSAGE_RETRY_SECONDS: value }).sync.messageRetrySeconds).toEqual(
      delays,
    );
  });

  it.each(['1h', '60,,60', '-5', '1.5'])('%j stops with one line naming the key', (value) => {
    expect(() => parseConfig({ MAILROOM_MESSAGE_RETRY_SECONDS: value })).toThrow(
      /MAILROOM_MESSAGE_RETRY_SECONDS must be whole seconds separated by commas, or none/,
    );
  });
});
