import { randomBytes } from 'node:crypto';

/**
 * Tokens of the emulated Microsoft identity platform. Every refresh returns a new refresh token
 * (rotation); the old one keeps working, as Microsoft's does, unless the grant is revoked.
 */
export class MsIdentity {
  private readonly refreshTokens = new Map<string, { email: string; revoked: boolean }>();
  private readonly accessTokens = new Map<string, { email: string; expiresAt: number }>();
  private readonly codes = new Map<string, { email: string; redirectUri: string }>();
  accessTokenTtlSeconds: number;
  refreshes = 0;
  /** Which refresh token each refresh presented, and what it got back, in order. */
  readonly refreshLog: { presented: string; issued: string }[] = [];

  constructor(accessTokenTtlSeconds = 3600) {
    this.accessTokenTtlSeconds = accessTokenTtlSeconds;
  }

  issueRefreshToken(email: string): string {
    const token = `1.AVEA-emu-${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(token, { email: email.toLowerCase(), revoked: false });
    return token;
  }

  issueAccessToken(email: string): string {
    const token = `eyJ0eXAiOiJKV1QifQ.emu-${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(token, {
      email: email.toLowerCase(),
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
    });
    return token;
  }

  issueCode(email: string, redirectUri: string): string {
    const code = `0.AVEA-code-${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, { email: email.toLowerCase(), redirectUri });
    return code;
  }

  redeemCode(code: string, redirectUri: string | undefined): string | null {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    return entry && (redirectUri === undefined || redirectUri === entry.redirectUri)
      ? entry.email
      : null;
  }

  /** A new access token and a new refresh token, or null when the grant is unknown or revoked. */
  refresh(
    refreshToken: string,
  ): { email: string; accessToken: string; refreshToken: string } | null {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.revoked) {
      return null;
    }
    this.refreshes++;
    const issued = this.issueRefreshToken(entry.email);
    this.refreshLog.push({ presented: refreshToken, issued });
    return {
      email: entry.email,
      accessToken: this.issueAccessToken(entry.email),
      refreshToken: issued,
    };
  }

  userOf(accessToken: string | undefined): string | null {
    const entry = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return entry && entry.expiresAt > Date.now() ? entry.email : null;
  }

  revoke(email: string): void {
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
