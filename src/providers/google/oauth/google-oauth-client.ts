import { OAuth2Client } from 'google-auth-library';
import type { Config } from '../../../config.ts';

/** Google OAuth scopes Mailroom asks for (mail and calendar read, identity). */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/gmail.readonly',
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
