import { z } from 'zod';
import { calendarRange } from '../db/read-models/calendar-range.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import type {
  CalendarEventView,
  CalendarPerson,
  CalendarRow,
} from '../read-models/calendar.schema.ts';

/**
 * The calendar: one entry per logical meeting occurrence in a window, for the API, the MCP tools
 * and the `calendar` command. The API's window is bounded so one request cannot ask for the
 * workspace's whole history.
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

const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .describe(`${what}: an ISO 8601 date-time with Z or an offset`);

/** The window rule: `to` after `from`, at most MAX_WINDOW_DAYS apart. */
function checkWindow(w: { from: unknown; to: unknown }, ctx: z.RefinementCtx): void {
  // Zod runs an object's refinement even when a field failed: only two parsed dates are checked.
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

/** `GET /calendar`'s query: `to` after `from`, at most MAX_WINDOW_DAYS apart. */
export const calendarListQuery = z
  .object({
    from: instant('window start'),
    to: instant('window end (exclusive)'),
    personId: z.uuid().optional().describe('only meetings this person attends'),
    personEmail: z
      .string()
      .max(320)
      .optional()
      .describe('only meetings the person with this address attends'),
    mailboxId: z.uuid().optional().describe('only meetings in this mailbox’s calendar'),
  })
  .superRefine(checkWindow);

export async function listCalendar(
  scope: WorkspaceScope,
  q: CalendarQuery,
): Promise<CalendarEventView[]> {
  const rows = await calendarRange(scope, {
    from: q.from,
    to: q.to,
    includeCancelled: q.includeCancelled,
    ...(q.personId !== undefined ? { personId: q.personId } : {}),
    ...(q.personEmail !== undefined ? { personEmail: q.personEmail.trim().toLowerCase() } : {}),
    ...(q.mailboxId !== undefined ? { mailboxId: q.mailboxId } : {}),
  });
  return rows.map(withPeople);
}

/** `people` of a calendar entry, from its attendees (sorted by email). */
function withPeople(row: CalendarRow): CalendarEventView {
  const people = new Map<string, CalendarPerson>();
  for (const a of row.attendees) {
    if (a.personId !== null && a.personEmail !== null && !people.has(a.personEmail)) {
      people.set(a.personEmail, {
        email: a.personEmail,
        responseStatus: a.responseStatus,
        companyDomain: a.companyDomain,
      });
    }
  }
  return { ...row, people: [...people.values()].sort((x, y) => x.email.localeCompare(y.email)) };
}

/** The API's and `crm.calendar.list`'s answer: cancelled occurrences included. */
export async function calendarItems(
  scope: WorkspaceScope,
  query: z.infer<typeof calendarListQuery>,
): Promise<{ items: CalendarEventView[] }> {
  return { items: await listCalendar(scope, { ...query, includeCancelled: true }) };
}
