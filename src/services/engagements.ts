import { z } from 'zod';
import {
  engagementRows,
  engagementTallies,
  type EngagementTally,
} from '../db/read-models/api-engagements.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import type { EngagementCounts, EngagementPage } from '../read-models/api-engagement.schema.ts';
import { cursorParam, decodeCursor, limitParam, page } from './pagination.ts';
import { requireOwned } from './require-owned.ts';

/**
 * An email's engagements (product.md "Sending and tracking"): its stored hits newest first, a
 * page at a time, with counts over all of its hits (not just the page), so a caller can tell
 * human opens and clicks from image proxies and link scanners without walking every page.
 */
export const engagementQuery = z.object({ limit: limitParam, cursor: cursorParam });

/** A cursor: the last item's instant (to the microsecond, so ties never skip) and hit id. */
const cursorShape = z.tuple([z.iso.datetime(), z.string().regex(/^\d{1,19}$/)]);

type KindCounts = EngagementCounts['opens'];

function kindCounts(tallies: readonly EngagementTally[]): KindCounts {
  const counts: KindCounts = { total: 0, human: 0, machine: 0, machineByReason: {} };
  for (const t of tallies) {
    counts.total += t.n;
    if (t.classification === 'human') {
      counts.human += t.n;
    } else {
      counts.machine += t.n;
      // A machine hit always has a reason (a check constraint); the fallback only keeps types honest.
      const reason = t.reason ?? 'unknown';
      counts.machineByReason[reason] = (counts.machineByReason[reason] ?? 0) + t.n;
    }
  }
  return counts;
}

/** Opens and clicks, human and machine, machine by reason, and clicks by link (by URL). */
export function engagementCounts(tallies: readonly EngagementTally[]): EngagementCounts {
  const clicks = tallies.filter((t) => t.type === 'click');
  const byUrl = new Map<string, { url: string; human: number; machine: number }>();
  for (const t of clicks) {
    // A click hit always carries its link (the token's URL); '' only keeps the types honest.
    const url = t.url ?? '';
    const entry = byUrl.get(url) ?? { url, human: 0, machine: 0 };
    entry[t.classification] += t.n;
    byUrl.set(url, entry);
  }
  return {
    opens: kindCounts(tallies.filter((t) => t.type === 'open')),
    clicks: {
      ...kindCounts(clicks),
      byUrl: [...byUrl.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0)),
    },
  };
}

export async function emailEngagementPage(
  scope: WorkspaceScope,
  emailId: string,
  query: z.infer<typeof engagementQuery>,
): Promise<EngagementPage> {
  // The cursor is checked first: a malformed one is a 400 whatever the id.
  const after = decodeCursor(query.cursor, cursorShape);
  await requireOwned(scope, 'email', emailId);
  const rows = await engagementRows(
    scope,
    emailId,
    after && { at: after[0], id: after[1] },
    query.limit + 1,
  );
  const result = page(rows, query.limit, (r) => [r.key.at, r.key.id]);
  return {
    items: result.items.map((r) => r.item),
    nextCursor: result.nextCursor,
    counts: engagementCounts(await engagementTallies(scope, emailId)),
  };
}
