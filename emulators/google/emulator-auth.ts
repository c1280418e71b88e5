import { randomBytes } from 'node:crypto';
import { GrantBook, type Grant } from '../shared/grants.ts';
import type { GeneratedUsers } from './generated-users.ts';
import { DEFAULT_GOOGLE_SCOPES } from './google-scopes.ts';

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Tokens issued by the emulated Google OAuth server, shaped like Google's (`4/…` codes, `1//…`
 * refresh tokens, `ya29.…` access tokens). A refresh returns a new access token, with the grant's
 * scopes, and keeps the refresh token, as Google does. A grant issued without scopes gets
 * DEFAULT_GOOGLE_SCOPES (read mail, send mail, read calendars).
 */
export class EmulatorAuth extends GrantBook {
  /** Users whose refresh tokens are derived, not issued (generated-users.ts); none by default. */
  generated: GeneratedUsers | null = null;

  constructor(accessTokenTtlSeconds = 3599) {
    super(
      {
        code: () => `4/emu-${random(12)}`,
        refreshToken: () => `1//emu-${random(18)}`,
        accessToken: () => `ya29.emu-${random(18)}`,
      },
      accessTokenTtlSeconds,
      DEFAULT_GOOGLE_SCOPES,
    );
  }

  refresh(refreshToken: string): (Grant & { accessToken: string }) | null {
    const generated = this.generated?.emailOfToken(refreshToken) ?? null;
    if (generated !== null) {
      this.adoptRefreshToken(refreshToken, generated);
    }
    const grant = this.redeemRefreshGrant(refreshToken);
    return grant === null
      ? null
      : { ...grant, accessToken: this.issueAccessToken(grant.email, grant.scopes) };
  }

  revokeUser(email: string): void {
    this.revokeGrants(email);
  }
}
