import { LRUCache } from 'lru-cache';
import type { TrackingTokenContext } from '../db/repositories/tracking.repository.ts';

/**
 * Verified tokens' stored contexts, per process: a message's pixel and links are hit again and
 * again (every open, every image proxy refetch), and the lookup is most of a hit's cost, so a
 * repeated token skips it. Bounded in entries; an entry lives `ttlMs`, so what can change under
 * a token (its recipient linked to a CRM person later, its message deleted) is seen within that
 * time. `recentClicks` is never served from here: it is read fresh for every click (record-hit.ts).
 */
export type CachedToken = Omit<TrackingTokenContext, 'recentClicks'>;

export interface TokenCache {
  get(tokenId: string): CachedToken | undefined;
  set(tokenId: string, token: TrackingTokenContext): void;
  delete(tokenId: string): void;
}

export function createTokenCache(options: { max: number; ttlMs: number }): TokenCache {
  if (options.max === 0) {
    return { get: () => undefined, set: () => undefined, delete: () => undefined };
  }
  const cache = new LRUCache<string, CachedToken>({ max: options.max, ttl: options.ttlMs });
  return {
    get: (tokenId) => cache.get(tokenId),
    delete: (tokenId) => {
      cache.delete(tokenId);
    },
    set(tokenId, t) {
      // Everything but the clicks, which would be stale on the next hit.
      cache.set(tokenId, {
        tokenId: t.tokenId,
        workspaceId: t.workspaceId,
        kind: t.kind,
        url: t.url,
        recipient: t.recipient,
        attribution: t.attribution,
        sentAt: t.sentAt,
        email: t.email,
        person: t.person,
        linksInMessage: t.linksInMessage,
      });
    },
  };
}
