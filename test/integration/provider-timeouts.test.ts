import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.ts';
import { GoogleCalendarSource } from '../../src/providers/google/calendar/google-calendar-source.ts';
import { GmailMailSource } from '../../src/providers/google/gmail/gmail-mail-source.ts';
import { createGoogleOAuthClient } from '../../src/providers/google/oauth/google-oauth-client.ts';
import { GraphRequester } from '../../src/providers/microsoft/graph-requester.ts';
import { GraphMailSource } from '../../src/providers/microsoft/mail/graph-mail-source.ts';
import { requestMicrosoftToken } from '../../src/providers/microsoft/oauth/microsoft-identity.ts';
import { ProviderError } from '../../src/providers/provider-error.ts';
import { UNLIMITED } from '../../src/providers/quota-limiter.ts';

/**
 * A black-holed provider: a server that accepts connections and never says a word (no HTTP
 * answer, no TLS handshake). Without timeouts every one of these calls would wait for ever; the
 * test's own timeout is what fails them then.
 */
let server: Server;
let hole: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  hole = `127.0.0.1:${typeof address === 'object' && address ? String(address.port) : ''}`;
});

afterAll(async () => {
  for (const s of sockets) {
    s.destroy();
  }
  await new Promise((resolve) => server.close(resolve));
});

function config(): Config {
  return parseConfig({
    MAILROOM_PROVIDER_TIMEOUT_MS: '200',
    GOOGLE_CLIENT_ID: 'c',
    GOOGLE_CLIENT_SECRET: 's',
    GOOGLE_API_ROOT_URL: `http://${hole}/`,
    GOOGLE_OAUTH_TOKEN_URL: `http://${hole}/token`,
    MICROSOFT_GRAPH_URL: `https://${hole}`,
    MICROSOFT_LOGIN_URL: `http://${hole}`,
  });
}

/** A Google client that already holds a live access token: the API call itself goes out. */
function googleAuth(c: Config, withToken: boolean) {
  const auth = createGoogleOAuthClient(c);
  auth.setCredentials({
    refresh_token: 'refresh',
    ...(withToken ? { access_token: 'live', expiry_date: Date.now() + 3_600_000 } : {}),
  });
  return auth;
}

async function transientTimeout(call: Promise<unknown>): Promise<void> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  expect((err as ProviderError).kind).toBe('TRANSIENT');
  expect((err as ProviderError).message).toMatch(/timed out/);
}

// Well under any real timeout (the old hard-coded one was 30 s): only the configured one passes.
describe(
  'every provider call gives up on a silent server, as a transient failure',
  { timeout: 20_000 },
  () => {
    it('Gmail API', async () => {
      const c = config();
      const source = new GmailMailSource({
        auth: googleAuth(c, true),
        rootUrl: c.google.apiRootUrl,
        limiter: UNLIMITED,
        regime: 'old',
        timeoutMs: c.google.requestTimeoutMs,
      });
      await transientTimeout(source.getProfile());
    });

    it('Google Calendar API', async () => {
      const c = config();
      const source = new GoogleCalendarSource({
        auth: googleAuth(c, true),
        rootUrl: c.google.apiRootUrl,
        calendarIds: ['primary'],
        limiter: UNLIMITED,
        timeoutMs: c.google.requestTimeoutMs,
      });
      await transientTimeout(source.listEvents('primary', { syncToken: null, pageToken: null }));
    });

    it('Google token endpoint (the refresh before a call)', async () => {
      const c = config();
      const source = new GmailMailSource({
        auth: googleAuth(c, false),
        rootUrl: c.google.apiRootUrl,
        limiter: UNLIMITED,
        regime: 'old',
        timeoutMs: c.google.requestTimeoutMs,
      });
      await transientTimeout(source.getProfile());
    });

    it('Microsoft Graph (connect and TLS handshake never finish)', async () => {
      const c = config();
      const graph = new GraphRequester({
        graphUrl: c.microsoft.graphUrl,
        timeoutMs: c.microsoft.requestTimeoutMs,
        accessToken: () => Promise.resolve('live'),
        invalidateToken: () => undefined,
        limiter: UNLIMITED,
      });
      await transientTimeout(new GraphMailSource({ graph, folders: ['inbox'] }).getProfile());
    });

    it('Microsoft token endpoint', async () => {
      const c = config();
      await expect(
        requestMicrosoftToken(c.microsoft, { grant_type: 'refresh_token', refresh_token: 'r' }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
    });
  },
);
