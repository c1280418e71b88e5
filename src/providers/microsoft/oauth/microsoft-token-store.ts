import { MailboxCache } from '../../mailbox-cache.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../config.ts';
import {
  readSealedCredentials,
  replaceSealedCredentials,
} from '../../../db/repositories/mailbox-token.repository.ts';
import type { SecretBox } from '../../../security/secret-box.ts';
import { ProviderError } from '../../provider-error.ts';
import { parseTokenError } from '../parse-graph-error.ts';
import {
  MICROSOFT_SCOPES,
  requestMicrosoftToken,
  type MicrosoftTokenResponse,
} from './microsoft-identity.ts';

/**
 * Access tokens for Microsoft mailboxes. Microsoft returns a new refresh token on every refresh
 * (provider-apis.md §D.7), so refreshing is a read-modify-write of the stored credential, done
 * without holding any database lock across the HTTP call (which can take up to 30 s; a row lock
 * held that long stalled every other writer of the mailbox, and a frozen worker held it for ever):
 *
 * 1. read the stored refresh token (no lock);
 * 2. call the token endpoint with it;
 * 3. store the new refresh token, sealed, with a compare-and-set on the value read in 1, before
 *    anyone uses the access token.
 *
 * In one process, concurrent callers for one mailbox share one refresh (single-flight below). Across
 * processes, two workers may both refresh from the same token; the first write wins and the later
 * one keeps the stored token, since whatever replaced the value it read (another refresh, a
 * reconnect) is newer than its own: a stale refresh never overwrites a newer token. Its access token
 * is still good, and Microsoft does not revoke a refresh token it rotated, so nothing breaks.
 * A crash between 2 and 3 likewise loses only the new token. Access tokens live in memory only.
 */
export class MicrosoftTokenStore {
  private readonly cache: MailboxCache<{ token: string; expiresAt: number }>;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly em: EntityManager;
  private readonly box: SecretBox;
  private readonly config: Config;
  refreshes = 0;

  constructor(em: EntityManager, box: SecretBox, config: Config, maxMailboxes: number) {
    this.cache = new MailboxCache(maxMailboxes);
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
    const em = this.em.fork();
    const sealed = await readSealedCredentials(em, mailboxId);
    if (!sealed) {
      throw new ProviderError('AUTH_REVOKED', 'mailbox has no stored credentials');
    }
    const presented = this.box.open(sealed);
    const json = await this.requestRefresh(presented);
    this.refreshes++;
    if (json.refresh_token) {
      await this.storeRotated(em, mailboxId, sealed, presented, json.refresh_token);
    }
    this.cache.set(mailboxId, {
      token: json.access_token,
      expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000,
    });
    return json.access_token;
  }

  private async requestRefresh(
    refreshToken: string,
  ): Promise<MicrosoftTokenResponse & { access_token: string }> {
    const ms = this.config.microsoft;
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
    return { ...json, access_token: json.access_token };
  }

  /**
   * Writes the rotated token over the one it was rotated from, and over nothing else. When the
   * compare-and-set misses, the row holds either a newer token (kept) or the same token re-sealed
   * under another key by `keys:rotate` (written over, once per re-seal).
   */
  private async storeRotated(
    em: EntityManager,
    mailboxId: string,
    readSealed: string,
    presented: string,
    rotated: string,
  ): Promise<void> {
    let expected = readSealed;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await replaceSealedCredentials(em, mailboxId, expected, this.box.seal(rotated))) {
        return;
      }
      const current = await readSealedCredentials(em, mailboxId);
      if (current === null || this.box.open(current) !== presented) {
        return;
      }
      expected = current;
    }
  }
}
