import type { OAuth2Client } from 'google-auth-library';
import { withCallRetry } from '../call-retry.ts';
import type { Limiter } from '../quota-limiter.ts';
import { parseGmailError, type GmailCallContext } from './parse-google-error.ts';

/**
 * One Google API call as the Gmail and Calendar adapters make it: the mailbox's quota limiter,
 * one classification of failures, in-place retries of short waits (call-retry.ts), and one token
 * refresh on a 401 before it counts as a revoked grant. An access token can end before its stated
 * expiry (a password change, a session ended by an admin), and google-auth-library only refreshes
 * on a 401 when it knows no expiry; the grant is revoked only when the refresh itself is refused
 * (invalid_grant), as the Graph requester decides for Microsoft.
 */
export class GoogleCaller {
  private readonly auth: OAuth2Client;
  private readonly limiter: Limiter;

  constructor(auth: OAuth2Client, limiter: Limiter) {
    this.auth = auth;
    this.limiter = limiter;
  }

  call<T>(units: number, context: GmailCallContext, run: () => Promise<T>): Promise<T> {
    let refreshed = false;
    return withCallRetry(async () => {
      await this.limiter.acquire(units);
      const used = this.auth.credentials.access_token;
      try {
        return await run();
      } catch (err) {
        const classified = parseGmailError(err, context);
        if (classified.kind !== 'AUTH_REVOKED' || classified.status !== 401 || refreshed) {
          throw classified;
        }
        refreshed = true;
        this.forget(used);
        await this.limiter.acquire(units);
        try {
          return await run();
        } catch (again) {
          throw parseGmailError(again, context);
        }
      }
    });
  }

  /**
   * Drops the access token the refused request used, so the next request refreshes first. When a
   * concurrent call has already replaced it, the new one is kept: several requests refused at
   * once cost one refresh (google-auth-library also joins refreshes already under way).
   */
  private forget(used: string | null | undefined): void {
    const current = this.auth.credentials;
    if (used === undefined || current.access_token === used) {
      this.auth.setCredentials({ ...current, access_token: null, expiry_date: null });
    }
  }
}
