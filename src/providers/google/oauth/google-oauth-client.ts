import { OAuth2Client } from 'google-auth-library';
import type { Config } from '../../../config.ts';

/**
 * Google OAuth scopes Mailroom asks for: mail and calendar read, sending (`gmail.send`, for
 * `POST /api/v1/messages`), identity. A mailbox consented before sending existed keeps syncing and
 * is told to reconnect when it tries to send.
 */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/calendar.readonly',
  'openid',
  'email',
];

/** An OAuth2Client pointed at the configured token and consent endpoints. */
export function createGoogleOAuthClient(config: Config, redirectUri?: string): OAuth2Client {
  return new OAuth2Client({
    ...(config.google.clientId ? { clientId: config.google.clientId } : {}),
    ...(config.google.clientSecret ? { clientSecret: config.google.clientSecret } : {}),
    ...(redirectUri ? { redirectUri } : {}),
    endpoints: {
      oauth2TokenUrl: config.google.tokenUrl,
      oauth2AuthBaseUrl: config.google.authUrl,
    },
    // The default for every request of this client, token refreshes included: gaxios has none.
    transporterOptions: { timeout: config.google.requestTimeoutMs },
  });
}

/**
 * Google's revoke endpoint, beside the configured token endpoint (`…/token` → `…/revoke`, as
 * `https://oauth2.googleapis.com/revoke` is beside `/token`), so an emulator configured through
 * GOOGLE_OAUTH_TOKEN_URL serves both.
 */
export function googleRevokeUrl(config: Config): string {
  return new URL('revoke', config.google.tokenUrl).toString();
}
