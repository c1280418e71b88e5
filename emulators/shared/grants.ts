import { createHash } from 'node:crypto';

/**
 * OAuth grant bookkeeping both emulated identity servers share: authorization codes (bound to
 * their redirect URI and PKCE challenge, usable once), refresh tokens a test can revoke to provoke
 * `invalid_grant`, and access tokens that expire. Each carries the scopes its grant was given (a
 * code those it was asked for; the tokens made from it inherit them), so an API can refuse a call
 * the grant does not cover. What differs per vendor is only the look of the tokens, what a refresh
 * returns and how a refusal is worded, which the subclasses and routes add.
 */
export interface TokenShapes {
  code(): string;
  refreshToken(): string;
  accessToken(): string;
}

/** RFC 7636 §4.3: the challenge the authorization request carried, and how it was derived. */
export interface PkceChallenge {
  challenge: string;
  method: 'S256' | 'plain';
}

/**
 * Why a code exchange was refused: the code is unknown, used or for another redirect URI; the
 * request had no verifier though the authorization carried a challenge; the verifier does not
 * hash to the challenge; or it sent a verifier for an authorization that had no challenge.
 */
export type CodeRefusal =
  'bad_code' | 'missing_verifier' | 'wrong_verifier' | 'unexpected_verifier';

/**
 * The PKCE challenge of an authorization request: null without one, undefined when its method is
 * not one RFC 7636 defines (`plain` is the default when none is named).
 */
export function pkceOf(
  challenge: string | undefined,
  method: string | undefined,
): PkceChallenge | null | undefined {
  if (challenge === undefined) {
    return null;
  }
  const m = method ?? 'plain';
  return m === 'S256' || m === 'plain' ? { challenge, method: m } : undefined;
}

/** RFC 7636 §4.6: S256 compares BASE64URL(SHA256(verifier)) with the challenge. */
function verifierMatches(pkce: PkceChallenge, verifier: string): boolean {
  const derived =
    pkce.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === pkce.challenge;
}

export class GrantBook {
  private readonly codes = new Map<
    string,
    { email: string; redirectUri: string; pkce: PkceChallenge | null; scopes: string[] }
  >();
  private readonly refreshTokens = new Map<
    string,
    { email: string; revoked: boolean; scopes: string[] }
  >();
  private readonly accessTokens = new Map<
    string,
    { email: string; expiresAt: number; scopes: string[] }
  >();
  private readonly shapes: TokenShapes;
  /** What a grant is given when its issuer names no scopes. */
  readonly defaultScopes: readonly string[];
  accessTokenTtlSeconds: number;
  /** Successful refreshes so far, so a test can tell whether a client reused its access token. */
  refreshes = 0;
  /** Tokens revoked through `revokeToken`, oldest first, so a test can tell the call arrived. */
  readonly revocations: string[] = [];

  constructor(
    shapes: TokenShapes,
    accessTokenTtlSeconds: number,
    defaultScopes: readonly string[] = [],
  ) {
    this.shapes = shapes;
    this.accessTokenTtlSeconds = accessTokenTtlSeconds;
    this.defaultScopes = defaultScopes;
  }

  issueRefreshToken(email: string, scopes: readonly string[] = this.defaultScopes): string {
    const token = this.shapes.refreshToken();
    this.refreshTokens.set(token, {
      email: email.toLowerCase(),
      revoked: false,
      scopes: [...scopes],
    });
    return token;
  }

  issueAccessToken(email: string, scopes: readonly string[] = this.defaultScopes): string {
    const token = this.shapes.accessToken();
    this.accessTokens.set(token, {
      email: email.toLowerCase(),
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
      scopes: [...scopes],
    });
    return token;
  }

  issueCode(
    email: string,
    redirectUri: string,
    pkce: PkceChallenge | null = null,
    scopes: readonly string[] = this.defaultScopes,
  ): string {
    const code = this.shapes.code();
    this.codes.set(code, { email: email.toLowerCase(), redirectUri, pkce, scopes: [...scopes] });
    return code;
  }

  /**
   * The user a code was issued to, or why it is refused. A code is spent by any attempt, right or
   * wrong, as the real servers do, so a stolen code cannot be tried against many verifiers.
   */
  redeemCode(
    code: string,
    redirectUri: string | undefined,
    codeVerifier?: string,
  ): { email: string; scopes: string[] } | { refused: CodeRefusal } {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || (redirectUri !== undefined && redirectUri !== entry.redirectUri)) {
      return { refused: 'bad_code' };
    }
    const granted = { email: entry.email, scopes: entry.scopes };
    if (entry.pkce === null) {
      return codeVerifier === undefined ? granted : { refused: 'unexpected_verifier' };
    }
    if (codeVerifier === undefined) {
      return { refused: 'missing_verifier' };
    }
    return verifierMatches(entry.pkce, codeVerifier) ? granted : { refused: 'wrong_verifier' };
  }

  /** The user an access token belongs to, or null when unknown or expired. */
  userOf(accessToken: string | undefined): string | null {
    const entry = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return entry && entry.expiresAt > Date.now() ? entry.email : null;
  }

  /** The scopes of a live access token's grant; null when the token is unknown or expired. */
  scopesOf(accessToken: string | undefined): string[] | null {
    const entry = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return entry && entry.expiresAt > Date.now() ? entry.scopes : null;
  }

  /** The user of a live refresh token, counting one refresh; null when unknown or revoked. */
  protected redeemRefreshToken(refreshToken: string): string | null {
    return this.redeemRefreshGrant(refreshToken)?.email ?? null;
  }

  /** The grant (user and scopes) of a live refresh token, counting one refresh. */
  protected redeemRefreshGrant(refreshToken: string): { email: string; scopes: string[] } | null {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.revoked) {
      return null;
    }
    this.refreshes++;
    return { email: entry.email, scopes: entry.scopes };
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

  /**
   * Revokes the grant a refresh or access token belongs to (RFC 7009 as Google serves it: either
   * kind of token ends the whole grant); false when the token is unknown or already revoked.
   */
  revokeToken(token: string): boolean {
    const refresh = this.refreshTokens.get(token);
    const email = refresh && !refresh.revoked ? refresh.email : this.accessTokens.get(token)?.email;
    if (email === undefined) {
      return false;
    }
    this.revocations.push(token);
    this.revokeGrants(email);
    return true;
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
