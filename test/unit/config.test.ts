import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, requireEncryptionKey } from '../../src/config.ts';

describe('parseConfig', () => {
  it('applies the documented defaults and has no default secret', () => {
    const config = parseConfig({});
    expect(config.db.url).toBe('postgres://postgres@127.0.0.1:5432/mailroom');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.microsoft.tenant).toBe('common');
    expect(config.encryptionKey).toBeUndefined();
    expect(() => requireEncryptionKey(config)).toThrow(/MAILROOM_ENCRYPTION_KEY is required/);
  });

  it.each([
    [
      { MAILROOM_ENCRYPTION_KEY: randomBytes(16).toString('base64') },
      /MAILROOM_ENCRYPTION_KEY must be 32 random bytes/,
    ],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a URL/],
    [
      { MICROSOFT_GRAPH_URL: 'http://localhost:4020' },
      /MICROSOFT_GRAPH_URL must be a URL \(https:\)/,
    ],
    [{ MAILROOM_GMAIL_QUOTA: 'maybe' }, /MAILROOM_GMAIL_QUOTA/],
    [
      { MAILROOM_ENCRYPTION_KEYS_OLD: `${randomBytes(32).toString('base64')},not-a-key` },
      /MAILROOM_ENCRYPTION_KEYS_OLD\.1 must be 32 random bytes/,
    ],
  ])('%j stops with one line naming the key', (env, message) => {
    let error: unknown;
    try {
      parseConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names every bad key in one line, and treats empty strings as unset', () => {
    expect(() => parseConfig({ DATABASE_URL: 'x', REDIS_URL: 'y' })).toThrow(
      /DATABASE_URL.*; REDIS_URL/,
    );
    expect(
      parseConfig({ MAILROOM_ENCRYPTION_KEY: '', PUBLIC_URL: '' }).encryptionKey,
    ).toBeUndefined();
  });

  it('turns push on for an https PUBLIC_URL or MAILROOM_PUSH=on, and off with MAILROOM_PUSH=off', () => {
    expect(parseConfig({}).push.enabled).toBe(false);
    expect(parseConfig({ PUBLIC_URL: 'https://crm.example.com/mailroom/' }).push).toMatchObject({
      enabled: true,
      microsoftUrl: 'https://crm.example.com/mailroom/push/microsoft',
    });
    expect(parseConfig({ MAILROOM_PUSH: 'on' }).push.enabled).toBe(true);
    expect(
      parseConfig({ PUBLIC_URL: 'https://crm.example.com', MAILROOM_PUSH: 'off' }).push.enabled,
    ).toBe(false);
    expect(() => parseConfig({ GOOGLE_PUBSUB_TOPIC: 'gmail-topic' })).toThrow(
      /GOOGLE_PUBSUB_TOPIC/,
    );
  });

  it("reads Google's OIDC certificates under the API root unless told otherwise", () => {
    expect(parseConfig({}).google.certsUrl).toBe('https://www.googleapis.com/oauth2/v1/certs');
    expect(parseConfig({ GOOGLE_API_ROOT_URL: 'http://127.0.0.1:4010' }).google.certsUrl).toBe(
      'http://127.0.0.1:4010/oauth2/v1/certs',
    );
    expect(
      parseConfig({ GOOGLE_OAUTH_CERTS_URL: 'https://certs.example/pem' }).google.certsUrl,
    ).toBe('https://certs.example/pem');
  });

  it('listens on loopback unless HOST says otherwise (0.0.0.0 in containers)', () => {
    expect(parseConfig({}).http.host).toBe('127.0.0.1');
    expect(parseConfig({ HOST: '' }).http.host).toBe('127.0.0.1');
    expect(parseConfig({ HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
  });

  it('reads old keys for a rotation as a comma-separated list, none by default', () => {
    const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    expect(parseConfig({}).encryptionKeysOld).toEqual([]);
    expect(parseConfig({ MAILROOM_ENCRYPTION_KEYS_OLD: ` ${a}, ${b},` }).encryptionKeysOld).toEqual(
      [a, b],
    );
  });

  it('accepts a valid key', () => {
    const k = randomBytes(32).toString('base64');
    expect(requireEncryptionKey(parseConfig({ MAILROOM_ENCRYPTION_KEY: k }))).toBe(k);
  });
});
