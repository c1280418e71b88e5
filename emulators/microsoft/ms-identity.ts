import { randomBytes } from 'node:crypto';
import { GrantBook } from '../shared/grants.ts';

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * What a mailbox added without naming scopes may do: read and write mail, send it, read the
 * calendar. The send routes check `Mail.Send` and `Mail.ReadWrite` against the token's grant.
 */
export const DEFAULT_GRAPH_SCOPES: readonly string[] = [
  'Mail.Read',
  'Mail.ReadWrite',
  'Mail.Send',
  'Calendars.Read',
  'User.Read',
  'offline_access',
];

/**
 * Tokens of the emulated Microsoft identity platform. Every refresh returns a new refresh token
 * (rotation); the old one keeps working, as Microsoft's does, unless the grant is revoked.
 */
export class MsIdentity extends GrantBook {
  /** Which refresh token each refresh presented, and what it got back, in order. */
  readonly refreshLog: { presented: string; issued: string }[] = [];
  private held: { arrived: () => void; released: Promise<void> } | null = null;

  constructor(accessTokenTtlSeconds = 3600) {
    super(
      {
        code: () => `0.AVEA-code-${random(16)}`,
        refreshToken: () => `1.AVEA-emu-${random(24)}`,
        accessToken: () => `eyJ0eXAiOiJKV1QifQ.emu-${random(24)}`,
      },
      accessTokenTtlSeconds,
      DEFAULT_GRAPH_SCOPES,
    );
  }

  /**
   * A new access token and a new refresh token with the grant's scopes, or null when the grant is
   * unknown or revoked.
   */
  refresh(refreshToken: string): {
    email: string;
    scopes: readonly string[];
    accessToken: string;
    refreshToken: string;
  } | null {
    const grant = this.redeemRefreshGrant(refreshToken);
    if (grant === null) {
      return null;
    }
    const { email, scopes } = grant;
    const issued = this.issueRefreshToken(email, scopes);
    this.refreshLog.push({ presented: refreshToken, issued });
    return {
      email,
      scopes,
      accessToken: this.issueAccessToken(email, scopes),
      refreshToken: issued,
    };
  }

  /**
   * Test hook: the next token request waits at the door until `release()`; `arrived` resolves
   * when it is there, so a test can look at the client's state while its request is in flight
   * (the real endpoint can take seconds) without guessing a delay.
   */
  holdNextTokenRequest(): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { arrived, released };
    return { arrived: arrival, release };
  }

  /** Where every token request passes: it waits here while a test holds it. */
  async tokenGate(): Promise<void> {
    const held = this.held;
    if (held) {
      this.held = null;
      held.arrived();
      await held.released;
    }
  }

  revoke(email: string): void {
    this.revokeGrants(email);
  }
}
