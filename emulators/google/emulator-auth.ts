import { randomBytes } from 'node:crypto';
import { GrantBook } from '../shared/grants.ts';

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Tokens issued by the emulated Google OAuth server, shaped like Google's (`4/…` codes, `1//…`
 * refresh tokens, `ya29.…` access tokens). A refresh returns a new access token and keeps the
 * refresh token, as Google does.
 */
export class EmulatorAuth extends GrantBook {
  constructor(accessTokenTtlSeconds = 3599) {
    super(
      {
        code: () => `4/emu-${random(12)}`,
        refreshToken: () => `1//emu-${random(18)}`,
        accessToken: () => `ya29.emu-${random(18)}`,
      },
      accessTokenTtlSeconds,
    );
  }

  refresh(refreshToken: string): { email: string; accessToken: string } | null {
    const email = this.redeemRefreshToken(refreshToken);
    return email === null ? null : { email, accessToken: this.issueAccessToken(email) };
  }

  revokeUser(email: string): void {
    this.revokeGrants(email);
  }
}
