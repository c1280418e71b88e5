import { z } from 'zod';

/** Graph's lifecycle events (provider-apis.md §D.6). */
export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

/** One item of a notification POST, as far as Mailroom reads it. */
export interface GraphNotification {
  subscriptionId: string;
  /** Unchecked: compared with the stored digest before anything is believed. */
  clientState: unknown;
  /** Null for a change notification. */
  lifecycleEvent: LifecycleEvent | null;
}

const item = z.object({
  subscriptionId: z.string().min(1).max(200),
  clientState: z.unknown().optional(),
  lifecycleEvent: z.string().optional(),
});

const LIFECYCLE = new Set<string>(['reauthorizationRequired', 'subscriptionRemoved', 'missed']);

/** At most this many items are read from one POST (Graph batches a few; more is not Graph). */
export const MAX_NOTIFICATIONS = 1_000;

/**
 * Reads a change- or lifecycle-notification POST `{value: [...]}`. Malformed items are left out,
 * as are unknown lifecycle events (Graph may add some); a malformed body is an empty list.
 */
export function parseGraphNotifications(body: unknown): GraphNotification[] {
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value)) {
    return [];
  }
  const out: GraphNotification[] = [];
  for (const raw of value.slice(0, MAX_NOTIFICATIONS)) {
    const parsed = item.safeParse(raw);
    if (!parsed.success) {
      continue;
    }
    const event = parsed.data.lifecycleEvent;
    if (event !== undefined && !LIFECYCLE.has(event)) {
      continue;
    }
    out.push({
      subscriptionId: parsed.data.subscriptionId,
      clientState: parsed.data.clientState,
      lifecycleEvent: (event as LifecycleEvent | undefined) ?? null,
    });
  }
  return out;
}
