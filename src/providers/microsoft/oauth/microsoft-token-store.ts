import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../config.ts';
import {
  lockSealedCredentials,
  storeSealedCredentials,
} from '../../../db/repositories/mailbox-token.repository.ts';
import type { SecretBox } from '../../../security/secret-box.ts';
import { ProviderError } from '../../provider-error.ts';
import { parseTokenError } from '../parse-graph-error.ts';
import { MICROSOFT_SCOPES, requestMicrosoftToken } from './microsoft-identity.ts';

/**
 * Access tokens for Microsoft mailboxes. Microsoft returns a new refresh token on every refresh
 * (provider-apis.md §D.7), so refreshing is a read-modify-write of the stored credential:
 *
 * 1. lock the mailbox row (`select … for update`), so two workers refreshing the same mailbox take
 *    turns and the second one refreshes with the token the first one stored;
 * 2. call the token endpoint with the stored refresh token;
 * 3. store the new refresh token, sealed, and commit — before anyone uses the access token.
 *
 * A crash between 2 and 3 loses only the new token: Microsoft does not revoke the previous one,
 * which is still what we have stored. Access tokens live in this process's memory only.
 */
export class MicrosoftTokenStore {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly em: EntityManager;
  private readonly box: SecretBox;
  private readonly config: Config;
  refreshes = 0;

  constructor(em: EntityManager, box: SecretBox, config: Config) {
    this.em = em;
    this.box = box;
    this.config = config;
  }

  async accessToken(mailboxId: string): Promise<string> {
    const cached = this.cache.get(mailboxId);
    // Five minutes of margin, as google-auth-library keeps for Google tokens.
    if (cached && cached.expiresAt - 300_000 > Date.now()) {
      return cached.token;
    }
    // The mail and calendar jobs of one mailbox ask at once: one refresh (one rotation) serves both.
    let pending = this.inflight.get(mailboxId);
    if (!pending) {
      pending = this.refresh(mailboxId).finally(() => this.inflight.delete(mailboxId));
      this.inflight.set(mailboxId, pending);
    }
    return pending;
  }

  /** Forgets the cached access token (after a 401), so the next call refreshes. */
  invalidate(mailboxId: string): void {
    this.cache.delete(mailboxId);
  }

  private async refresh(mailboxId: string): Promise<string> {
    return this.em.fork().transactional(async (tx) => {
      const sealed = await lockSealedCredentials(tx, mailboxId);
      if (!sealed) {
        throw new ProviderError('AUTH_REVOKED', 'mailbox has no stored credentials');
      }
      const ms = this.config.microsoft;
      const refreshToken = this.box.open(sealed);
      let res: Awaited<ReturnType<typeof requestMicrosoftToken>>;
      try {
        res = await requestMicrosoftToken(ms, {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          scope: MICROSOFT_SCOPES.join(' '),
          ...(ms.clientId ? { client_id: ms.clientId } : {}),
          ...(ms.clientSecret ? { client_secret: ms.clientSecret } : {}),
        });
      } catch (err) {
        throw new ProviderError(
          'TRANSIENT',
          `Microsoft token endpoint unreachable: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const { json } = res;
      if (!res.ok || !json?.access_token) {
        throw parseTokenError(res.status, json);
      }
      this.refreshes++;
      if (json.refresh_token) {
        await storeSealedCredentials(tx, mailboxId, this.box.seal(json.refresh_token));
      }
      this.cache.set(mailboxId, {
        token: json.access_token,
        expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000,
      });
      return json.access_token;
    });
  }
}
