import { Client } from '@microsoft/microsoft-graph-client';
import type { Config } from '../../../config.ts';
import { MailroomError } from '../../../errors.ts';
import type { OAuthConnector } from '../../oauth-connector.ts';
import {
  MICROSOFT_CONNECT_SCOPES,
  microsoftAuthority,
  requestMicrosoftToken,
} from './microsoft-identity.ts';

/**
 * Microsoft's OAuth connector (identity platform v2): the authorize page with `offline_access`
 * among the scopes (no refresh token without it) and a PKCE (S256) challenge, whose verifier the
 * code exchange presents with the client secret; the mailbox's address from Graph `/me`.
 */
export function createMicrosoftOAuthConnector(config: Config): OAuthConnector {
  const ms = config.microsoft;
  return {
    provider: 'microsoft',
    vendor: 'Microsoft',
    authorizationUrl({ redirectUri, state, loginHint, codeChallenge }) {
      const url = new URL(`${microsoftAuthority(ms)}/authorize`);
      url.search = new URLSearchParams({
        client_id: ms.clientId ?? '',
        response_type: 'code',
        response_mode: 'query',
        redirect_uri: redirectUri,
        scope: MICROSOFT_CONNECT_SCOPES.join(' '),
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        ...(loginHint ? { login_hint: loginHint } : {}),
      }).toString();
      return url.toString();
    },
    async exchangeCode({ code, redirectUri, codeVerifier }) {
      const { ok, json } = await requestMicrosoftToken(ms, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
        scope: MICROSOFT_CONNECT_SCOPES.join(' '),
        client_id: ms.clientId ?? '',
        ...(ms.clientSecret ? { client_secret: ms.clientSecret } : {}),
      });
      if (!ok || !json?.access_token) {
        throw new MailroomError(
          'OAUTH_EXCHANGE_FAILED',
          'Microsoft refused the authorization code',
        );
      }
      if (!json.refresh_token) {
        throw new MailroomError(
          'OAUTH_NO_REFRESH_TOKEN',
          'Microsoft returned no refresh token (offline_access was not granted)',
        );
      }
      const accessToken = json.access_token;
      const graph = Client.initWithMiddleware({
        authProvider: { getAccessToken: () => Promise.resolve(accessToken) },
        baseUrl: ms.graphUrl,
        customHosts: new Set([new URL(ms.graphUrl).hostname]),
      });
      const me = (await graph.api('/me').select(['mail', 'userPrincipalName']).get()) as {
        mail?: string | null;
        userPrincipalName?: string;
      };
      return {
        email: me.mail ?? me.userPrincipalName,
        refreshToken: json.refresh_token,
        scopes: json.scope ? json.scope.split(' ') : MICROSOFT_CONNECT_SCOPES,
      };
    },
    revokeRefreshToken() {
      // The Microsoft identity platform has no endpoint that revokes one refresh token or one
      // app's grant: the only revocation is Graph's `revokeSignInSessions`, which signs the user
      // out of every application and needs User.RevokeSessions.All, far beyond a mail reader's
      // scopes. Disconnecting deletes the stored token; the grant ends when the user or an admin
      // removes the app, or when the token expires after its inactivity window.
      return Promise.resolve('unsupported' as const);
    },
  };
}
