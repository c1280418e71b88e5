import { gmail } from '@googleapis/gmail';
import { CodeChallengeMethod } from 'google-auth-library';
import type { Config } from '../../../config.ts';
import { MailroomError } from '../../../errors.ts';
import type { OAuthConnector } from '../../oauth-connector.ts';
import { createGoogleOAuthClient, GOOGLE_SCOPES, googleRevokeUrl } from './google-oauth-client.ts';

/**
 * Google's OAuth connector: offline access with a consent prompt (Google returns a refresh token
 * only then), PKCE (S256) on top of the client secret, and the mailbox's address from the Gmail
 * profile the grant can read. Revocation posts the refresh token to Google's revoke endpoint.
 */
export function createGoogleOAuthConnector(config: Config): OAuthConnector {
  return {
    provider: 'google',
    vendor: 'Google',
    authorizationUrl({ redirectUri, state, loginHint, codeChallenge }) {
      return createGoogleOAuthClient(config, redirectUri).generateAuthUrl({
        access_type: 'offline',
        prompt: 'consent',
        include_granted_scopes: true,
        scope: GOOGLE_SCOPES,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: CodeChallengeMethod.S256,
        ...(loginHint ? { login_hint: loginHint } : {}),
      });
    },
    async exchangeCode({ code, redirectUri, codeVerifier }) {
      const client = createGoogleOAuthClient(config, redirectUri);
      let tokens;
      try {
        ({ tokens } = await client.getToken({ code, codeVerifier, redirect_uri: redirectUri }));
      } catch {
        throw new MailroomError('OAUTH_EXCHANGE_FAILED', 'Google refused the authorization code');
      }
      if (!tokens.refresh_token) {
        throw new MailroomError(
          'OAUTH_NO_REFRESH_TOKEN',
          'Google returned no refresh token; remove Mailroom in your Google account settings and connect again',
        );
      }
      client.setCredentials(tokens);
      const api = gmail({
        version: 'v1',
        auth: client,
        ...(config.google.apiRootUrl ? { rootUrl: config.google.apiRootUrl } : {}),
      });
      const profile = await api.users.getProfile({ userId: 'me' });
      return {
        email: profile.data.emailAddress ?? undefined,
        refreshToken: tokens.refresh_token,
        scopes: tokens.scope ? tokens.scope.split(' ') : GOOGLE_SCOPES,
      };
    },
    async revokeRefreshToken(refreshToken) {
      // Form-encoded, as Google documents it: google-auth-library's revokeToken would put the
      // token in the URL's query string, where proxies and access logs keep it.
      const res = await fetch(googleRevokeUrl(config), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: refreshToken }).toString(),
        signal: AbortSignal.timeout(config.google.requestTimeoutMs),
      });
      if (!res.ok) {
        const body = await res.text().catch(() => '');
        throw new MailroomError(
          'OAUTH_REVOKE_FAILED',
          `Google refused the revocation: HTTP ${String(res.status)} ${body.slice(0, 200)}`,
        );
      }
      return 'revoked';
    },
  };
}
