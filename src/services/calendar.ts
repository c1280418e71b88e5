import { z } from 'zod';
import { calendarRange } from '../db/read-models/calendar-range.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import type { CalendarEventView } from '../read-models/calendar.schema.ts';

/**
 * The calendar: one entry per logical meeting occurrence in a window. The window is bounded so a
 * request cannot ask for the workspace's whole history in one answer.
 */
export const MAX_WINDOW_DAYS = 366;

export interface CalendarQuery {
  from: Date;
  to: Date;
  personId?: string | undefined;
  personEmail?: string | undefined;
  mailboxId?: string | undefined;
  /** The API lists cancelled occurrences (as `cancelled`); the CLI only on request. */
  includeCancelled: boolean;
}

/** The window rule, for request schemas: `to` after `from`, at most MAX_WINDOW_DAYS apart. */
export function checkWindow(w: { from: unknown; to: unknown }, ctx: z.RefinementCtx): void {
  // Zod runs an object's refinement even when a field failed: only check two parsed dates.
  if (!(w.from instanceof Date) || !(w.to instanceof Date)) {
    return;
  }
  if (w.to <= w.from) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  } else if (w.to.getTime() - w.from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `the window may span at most ${String(MAX_WINDOW_DAYS)} days`,
    });
  }
}

export async function listCalendar(
  scope: WorkspaceScope,
  q: CalendarQuery,
): Promise<CalendarEventView[]> {
  return calendarRange(scope, {
    from: q.from,
    to: q.to,
    includeCancelled: q.includeCancelled,
    ...(q.personId !== undefined ? { personId: q.personId } : {}),
    ...(q.personEmail !== undefined ? { personEmail: q.personEmail.trim().toLowerCase() } : {}),
    ...(q.mailboxId !== undefined ? { mailboxId: q.mailboxId } : {}),
  });
}
