import { randomBytes } from 'node:crypto';

/**
 * Tokens issued by the emulated Google OAuth server: authorization codes, refresh tokens (which a
 * test can revoke to provoke `invalid_grant`) and short-lived access tokens.
 */
export class EmulatorAuth {
  private readonly codes = new Map<string, { email: string; redirectUri: string }>();
  private readonly refreshTokens = new Map<string, { email: string; revoked: boolean }>();
  private readonly accessTokens = new Map<string, { email: string; expiresAt: number }>();
  accessTokenTtlSeconds: number;
  refreshes = 0;

  constructor(accessTokenTtlSeconds = 3599) {
    this.accessTokenTtlSeconds = accessTokenTtlSeconds;
  }

  issueRefreshToken(email: string): string {
    const token = `1//emu-${randomBytes(18).toString('base64url')}`;
    this.refreshTokens.set(token, { email: email.toLowerCase(), revoked: false });
    return token;
  }

  issueCode(email: string, redirectUri: string): string {
    const code = `4/emu-${randomBytes(12).toString('base64url')}`;
    this.codes.set(code, { email: email.toLowerCase(), redirectUri });
    return code;
  }

  redeemCode(code: string, redirectUri: string | undefined): string | null {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || (redirectUri !== undefined && redirectUri !== entry.redirectUri)) {
      return null;
    }
    return entry.email;
  }

  refresh(refreshToken: string): { email: string; accessToken: string } | null {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.revoked) {
      return null;
    }
    this.refreshes++;
    return { email: entry.email, accessToken: this.issueAccessToken(entry.email) };
  }

  issueAccessToken(email: string): string {
    const token = `ya29.emu-${randomBytes(18).toString('base64url')}`;
    this.accessTokens.set(token, {
      email: email.toLowerCase(),
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
    });
    return token;
  }

  /** The user an access token belongs to, or null when unknown or expired. */
  userOf(accessToken: string | undefined): string | null {
    const entry = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return entry && entry.expiresAt > Date.now() ? entry.email : null;
  }

  revokeUser(email: string): void {
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
