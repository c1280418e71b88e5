import { OAuth2Client } from 'google-auth-library';

export interface PushTokenCheck {
  audience: string;
  /** When set, the token's `email` must be this service account (the push subscription's). */
  serviceAccount: string | undefined;
  /** Google's PEM signing certificates (GOOGLE_OAUTH_CERTS_URL). */
  certsUrl: string;
}

export type PushTokenVerifier = (authorization: string | undefined) => Promise<boolean>;

/**
 * Verifies the OIDC token Pub/Sub attaches to an authenticated push
 * (`Authorization: Bearer <JWT>`) with google-auth-library: Google's signature (certificates
 * fetched and cached by the library), issuer, expiry and our audience; then the service account,
 * since any Google account can mint a token for any audience. False for anything wrong.
 */
export function pushTokenVerifier(check: PushTokenCheck): PushTokenVerifier {
  const client = new OAuth2Client({
    endpoints: { oauth2FederatedSignonPemCertsUrl: check.certsUrl },
  });
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) {
      return false;
    }
    try {
      const ticket = await client.verifyIdToken({ idToken: match[1], audience: check.audience });
      const claims = ticket.getPayload();
      if (check.serviceAccount === undefined) {
        return true;
      }
      return claims?.email === check.serviceAccount && claims.email_verified === true;
    } catch {
      return false;
    }
  };
}
