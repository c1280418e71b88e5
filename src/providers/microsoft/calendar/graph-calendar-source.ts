import type { CalendarPage, CalendarSource, CalendarWindow } from '../../calendar-source.ts';
import { ProviderError } from '../../provider-error.ts';
import type { GraphRequester } from '../graph-requester.ts';
import { mapGraphEvent, type GraphDeltaItem } from './map-graph-event.ts';

/**
 * CalendarSource over Graph v1.0 `me/calendarView/delta` (provider-apis.md §D.3): the primary
 * calendar's occurrences within a window (v1.0 has no per-calendar delta). The window is fixed for
 * a round; the sync starts a new round when it must move. The delta link is the cursor, next links
 * the page tokens. No `Prefer: outlook.timezone`: times come in the event's own zone (IANA or
 * Windows) and are converted by the mapper, which also covers servers that ignore the preference.
 */
interface DeltaPage {
  value: GraphDeltaItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export class GraphCalendarSource implements CalendarSource {
  readonly windowed = true;
  readonly calendarIds = ['primary'] as const;
  private readonly graph: GraphRequester;
  private readonly pageSize: number;

  constructor(options: { graph: GraphRequester; pageSize?: number }) {
    this.graph = options.graph;
    this.pageSize = options.pageSize ?? 100;
  }

  async listEvents(
    _calendarId: string,
    cursor: { syncToken: string | null; pageToken: string | null },
    window: CalendarWindow,
  ): Promise<CalendarPage> {
    const link = cursor.pageToken ?? cursor.syncToken;
    const page = await this.list(link, window);
    return {
      changes: page.value.flatMap((item) => mapGraphEvent(item) ?? []),
      nextPageToken: page['@odata.nextLink'] ?? null,
      nextSyncToken: page['@odata.nextLink'] ? null : (page['@odata.deltaLink'] ?? null),
    };
  }

  private async list(link: string | null, window: CalendarWindow): Promise<DeltaPage> {
    try {
      return await this.request(link, window);
    } catch (err) {
      // Calendars.Read is a permission of its own: without it the calendar is unavailable, while
      // the mailbox's mail (and its token) are fine.
      if (err instanceof ProviderError && err.kind === 'AUTH_REVOKED' && err.status === 403) {
        throw new ProviderError(
          'PERMANENT',
          `Outlook calendar access was not granted (${err.message})`,
          {
            status: 403,
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  private request(link: string | null, window: CalendarWindow): Promise<DeltaPage> {
    return this.graph.call(
      () =>
        (link
          ? this.graph.client.api(this.graph.onConfiguredEndpoint(link))
          : this.graph.client.api('/me/calendarView/delta').query({
              startDateTime: window.start.toISOString(),
              endDateTime: window.end.toISOString(),
            })
        )
          .header('Prefer', `odata.maxpagesize=${String(this.pageSize)}, IdType="ImmutableId"`)
          .get() as Promise<DeltaPage>,
    );
  }
}
