import { randomBytes } from 'node:crypto';
import { GrantBook } from '../shared/grants.ts';

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Tokens of the emulated Microsoft identity platform. Every refresh returns a new refresh token
 * (rotation); the old one keeps working, as Microsoft's does, unless the grant is revoked.
 */
export class MsIdentity extends GrantBook {
  /** Which refresh token each refresh presented, and what it got back, in order. */
  readonly refreshLog: { presented: string; issued: string }[] = [];

  constructor(accessTokenTtlSeconds = 3600) {
    super(
      {
        code: () => `0.AVEA-code-${random(16)}`,
        refreshToken: () => `1.AVEA-emu-${random(24)}`,
        accessToken: () => `eyJ0eXAiOiJKV1QifQ.emu-${random(24)}`,
      },
      accessTokenTtlSeconds,
    );
  }

  /** A new access token and a new refresh token, or null when the grant is unknown or revoked. */
  refresh(
    refreshToken: string,
  ): { email: string; accessToken: string; refreshToken: string } | null {
    const email = this.redeemRefreshToken(refreshToken);
    if (email === null) {
      return null;
    }
    const issued = this.issueRefreshToken(email);
    this.refreshLog.push({ presented: refreshToken, issued });
    return { email, accessToken: this.issueAccessToken(email), refreshToken: issued };
  }

  revoke(email: string): void {
    this.revokeGrants(email);
  }
}
