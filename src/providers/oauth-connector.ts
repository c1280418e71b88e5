/**
 * The port each vendor's OAuth code implements, so one set of HTTP routes connects any provider:
 * the consent page URL (with the vendor's scopes and the caller's signed state), then the code
 * exchange, which says which mailbox consented and hands over its refresh token. Access-token
 * refresh stays with each vendor's client (google-auth-library; MicrosoftTokenStore, which
 * rotates the stored refresh token with a compare-and-set). On disconnect the grant is revoked
 * where the vendor has an endpoint for it (`revokeRefreshToken`).
 */
export interface OAuthGrant {
  /** The mailbox that consented, as the provider reports it (undefined when it does not say). */
  email: string | undefined;
  refreshToken: string;
  /** Scopes granted (the ones asked for when the provider does not list them). */
  scopes: string[];
}

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  loginHint: string | null;
  /** PKCE (RFC 7636) S256 challenge of the verifier `exchangeCode` will present. */
  codeChallenge: string;
}

export interface OAuthConnector {
  readonly provider: 'google' | 'microsoft';
  /** The vendor's name in messages to the user. */
  readonly vendor: string;
  authorizationUrl(request: AuthorizationRequest): string;
  /**
   * Throws MailroomError OAUTH_EXCHANGE_FAILED when the code is refused and
   * OAUTH_NO_REFRESH_TOKEN when no offline access was granted.
   */
  exchangeCode(request: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<OAuthGrant>;
  /**
   * Ends the grant behind a refresh token at the vendor, so the token (and the access tokens it
   * gave) stop working. `unsupported` when the vendor has no such endpoint. Throws when the
   * vendor could not be reached or refused; the caller decides whether that matters.
   */
  revokeRefreshToken(refreshToken: string): Promise<'revoked' | 'unsupported'>;
}
