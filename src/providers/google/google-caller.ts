import type { OAuth2Client } from 'google-auth-library';
import { withCallRetry } from '../call-retry.ts';
import type { ProviderError } from '../provider-error.ts';
import type { Limiter } from '../quota-limiter.ts';
import { parseGmailError, type GmailCallContext } from './parse-google-error.ts';

/**
 * One Google API call as the Gmail and Calendar adapters make it: the mailbox's quota limiter,
 * one classification of failures, in-place retries of short waits (call-retry.ts), and one token
 * refresh on a 401 before it counts as a revoked grant. An access token can end before its stated
 * expiry (a password change, a session ended by an admin), and google-auth-library only refreshes
 * on a 401 when it knows no expiry; the grant is revoked only when the refresh itself is refused
 * (invalid_grant), as the Graph requester decides for Microsoft.
 *
 * While that refresh runs, the mailbox's other calls wait for it instead of sending requests with
 * the refused token, and once Google has refused the refresh token they fail at once: after a
 * revocation nothing more goes out (before, a fetch window sent 88 more requests). The state
 * belongs to the OAuth client, which the mailbox's mail and calendar jobs share.
 */
interface AuthState {
  refreshing: Promise<void> | null;
  revoked: ProviderError | null;
}

const states = new WeakMap<OAuth2Client, AuthState>();

function stateOf(auth: OAuth2Client): AuthState {
  let state = states.get(auth);
  if (!state) {
    state = { refreshing: null, revoked: null };
    states.set(auth, state);
  }
  return state;
}

export class GoogleCaller {
  private readonly auth: OAuth2Client;
  private readonly limiter: Limiter;
  private readonly state: AuthState;

  constructor(auth: OAuth2Client, limiter: Limiter) {
    this.auth = auth;
    this.limiter = limiter;
    this.state = stateOf(auth);
  }

  /** `unsafe`: a request that must not be repeated once it may have reached Google (a send). */
  call<T>(
    units: number,
    context: GmailCallContext,
    run: () => Promise<T>,
    mode: 'idempotent' | 'unsafe' = 'idempotent',
  ): Promise<T> {
    let refreshed = false;
    const attempt = async (): Promise<T> => {
      await this.limiter.acquire(units);
      await this.state.refreshing;
      if (this.state.revoked) {
        throw this.state.revoked;
      }
      const used = this.auth.credentials.access_token;
      try {
        return await run();
      } catch (err) {
        const classified = parseGmailError(err, context);
        if (classified.kind !== 'AUTH_REVOKED' || classified.status !== 401 || refreshed) {
          throw classified;
        }
        refreshed = true;
        await this.refresh(used, context);
        return attempt();
      }
    };
    return withCallRetry(attempt, { retryTransient: mode === 'idempotent' });
  }

  /**
   * Refreshes the access token a request was refused with, once for all the calls refused with
   * it; a newer token (another call refreshed already) is kept.
   */
  private async refresh(used: string | null | undefined, context: GmailCallContext) {
    const current = this.auth.credentials;
    if (!this.state.refreshing && (used === undefined || current.access_token === used)) {
      this.auth.setCredentials({ ...current, access_token: null, expiry_date: null });
      this.state.refreshing = this.auth
        .getAccessToken()
        .then(
          () => undefined,
          (err: unknown) => {
            const classified = parseGmailError(err, context);
            if (classified.kind === 'AUTH_REVOKED') {
              this.state.revoked = classified;
            }
          },
        )
        .finally(() => {
          this.state.refreshing = null;
        });
    }
    await this.state.refreshing;
    if (this.state.revoked) {
      throw this.state.revoked;
    }
  }
}
