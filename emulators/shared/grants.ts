import { createHash } from 'node:crypto';

/**
 * OAuth grant bookkeeping both emulated identity servers share: authorization codes (bound to
 * their redirect URI and PKCE challenge, usable once), refresh tokens a test can revoke to provoke
 * `invalid_grant`, and access tokens that expire. What differs per vendor is only the look of the
 * tokens, what a refresh returns and how a refusal is worded, which the subclasses and routes add.
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

/** Who a grant is for and what it allows; every token issued from it carries the same scopes. */
export interface Grant {
  email: string;
  scopes: readonly string[];
}

export class GrantBook {
  private readonly codes = new Map<
    string,
    Grant & { redirectUri: string; pkce: PkceChallenge | null }
  >();
  private readonly refreshTokens = new Map<string, Grant & { revoked: boolean }>();
  private readonly accessTokens = new Map<string, Grant & { expiresAt: number }>();
  private readonly shapes: TokenShapes;
  /** The scopes of a grant issued without naming any (a test's or a control route's mailbox). */
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
    this.refreshTokens.set(token, { email: email.toLowerCase(), scopes, revoked: false });
    return token;
  }

  /**
   * Records a refresh token minted elsewhere (a generated user's, derived from its number) on its
   * first use; false when the token is already known (then it may have been revoked since).
   */
  protected adoptRefreshToken(token: string, email: string): boolean {
    if (this.refreshTokens.has(token)) {
      return false;
    }
    this.refreshTokens.set(token, {
      email: email.toLowerCase(),
      scopes: this.defaultScopes,
      revoked: false,
    });
    return true;
  }

  issueAccessToken(email: string, scopes: readonly string[] = this.defaultScopes): string {
    const token = this.shapes.accessToken();
    this.accessTokens.set(token, {
      email: email.toLowerCase(),
      scopes,
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
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
    this.codes.set(code, { email: email.toLowerCase(), scopes, redirectUri, pkce });
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
  ): Grant | { refused: CodeRefusal } {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || (redirectUri !== undefined && redirectUri !== entry.redirectUri)) {
      return { refused: 'bad_code' };
    }
    if (entry.pkce === null) {
      return codeVerifier === undefined
        ? { email: entry.email, scopes: entry.scopes }
        : { refused: 'unexpected_verifier' };
    }
    if (codeVerifier === undefined) {
      return { refused: 'missing_verifier' };
    }
    return verifierMatches(entry.pkce, codeVerifier)
      ? { email: entry.email, scopes: entry.scopes }
      : { refused: 'wrong_verifier' };
  }

  /** The user an access token belongs to, or null when unknown or expired. */
  userOf(accessToken: string | undefined): string | null {
    return this.grantOf(accessToken)?.email ?? null;
  }

  /** The grant behind a live access token (user and scopes), or null when unknown or expired. */
  grantOf(accessToken: string | undefined): Grant | null {
    const entry = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return entry && entry.expiresAt > Date.now()
      ? { email: entry.email, scopes: entry.scopes }
      : null;
  }

  /** The user of a live refresh token, counting one refresh; null when unknown or revoked. */
  protected redeemRefreshToken(refreshToken: string): string | null {
    return this.redeemRefreshGrant(refreshToken)?.email ?? null;
  }

  /** Like `redeemRefreshToken`, with the scopes the new tokens inherit. */
  protected redeemRefreshGrant(refreshToken: string): Grant | null {
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
