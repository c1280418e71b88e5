/**
 * OAuth grant bookkeeping both emulated identity servers share: authorization codes (bound to
 * their redirect URI, usable once), refresh tokens a test can revoke to provoke `invalid_grant`,
 * and access tokens that expire. What differs per vendor is only the look of the tokens and what
 * a refresh returns, which the subclasses add.
 */
export interface TokenShapes {
  code(): string;
  refreshToken(): string;
  accessToken(): string;
}

export class GrantBook {
  private readonly codes = new Map<string, { email: string; redirectUri: string }>();
  private readonly refreshTokens = new Map<string, { email: string; revoked: boolean }>();
  private readonly accessTokens = new Map<string, { email: string; expiresAt: number }>();
  private readonly shapes: TokenShapes;
  accessTokenTtlSeconds: number;
  /** Successful refreshes so far, so a test can tell whether a client reused its access token. */
  refreshes = 0;

  constructor(shapes: TokenShapes, accessTokenTtlSeconds: number) {
    this.shapes = shapes;
    this.accessTokenTtlSeconds = accessTokenTtlSeconds;
  }

  issueRefreshToken(email: string): string {
    const token = this.shapes.refreshToken();
    this.refreshTokens.set(token, { email: email.toLowerCase(), revoked: false });
    return token;
  }

  issueAccessToken(email: string): string {
    const token = this.shapes.accessToken();
    this.accessTokens.set(token, {
      email: email.toLowerCase(),
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
    });
    return token;
  }

  issueCode(email: string, redirectUri: string): string {
    const code = this.shapes.code();
    this.codes.set(code, { email: email.toLowerCase(), redirectUri });
    return code;
  }

  /** The user a code was issued to; null when unknown, used before or for another redirect URI. */
  redeemCode(code: string, redirectUri: string | undefined): string | null {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    return entry && (redirectUri === undefined || redirectUri === entry.redirectUri)
      ? entry.email
      : null;
  }

  /** The user an access token belongs to, or null when unknown or expired. */
  userOf(accessToken: string | undefined): string | null {
    const entry = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return entry && entry.expiresAt > Date.now() ? entry.email : null;
  }

  /** The user of a live refresh token, counting one refresh; null when unknown or revoked. */
  protected redeemRefreshToken(refreshToken: string): string | null {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.revoked) {
      return null;
    }
    this.refreshes++;
    return entry.email;
  }

  /**
   * Ends the user's access tokens now, as a provider may before their stated expiry (a password
   * change, a session revoked server-side); refresh tokens stay valid.
   */
  expireAccessTokens(email: string): void {
    for (const [token, entry] of this.accessTokens) {
      if (entry.email === email.toLowerCase()) {
        this.accessTokens.delete(token);
      }
    }
  }

  /** Revokes every refresh token of the user and drops their access tokens at once. */
  protected revokeGrants(email: string): void {
    for (const entry of this.refreshTokens.values()) {
      if (entry.email === email.toLowerCase()) {
        entry.revoked = true;
      }
    }
    for (const [token, entry] of this.accessTokens) {
      if (entry.email === email.toLowerCase()) {
        this.accessTokens.delete(token);
      }
    }
  }
}
