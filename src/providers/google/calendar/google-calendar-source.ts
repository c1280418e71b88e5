import { calendar, type calendar_v3 } from '@googleapis/calendar';
import type { OAuth2Client } from 'google-auth-library';
import type { Limiter } from '../../quota-limiter.ts';
import type { CalendarPage, CalendarSource } from '../../calendar-source.ts';
import { GoogleCaller } from '../google-caller.ts';
import { mapGoogleEvent } from './map-google-event.ts';

/**
 * CalendarSource over Google Calendar v3 with the official client (provider-apis.md §B). The full
 * listing is unbounded (a listing bounded by timeMin/timeMax cannot be continued with a sync
 * token, §B.2) and uses singleEvents, so every occurrence of a series is its own row and a
 * calendar view needs no expansion of its own; the incremental listing repeats exactly those
 * parameters, as Google requires.
 */
export interface GoogleCalendarSourceOptions {
  auth: OAuth2Client;
  rootUrl: string | undefined;
  calendarIds: readonly string[];
  limiter: Limiter;
  /** Per request, connecting included. */
  timeoutMs: number;
  pageSize?: number;
}

export class GoogleCalendarSource implements CalendarSource {
  readonly windowed = false;
  readonly calendarIds: readonly string[];
  private readonly api: calendar_v3.Calendar;
  private readonly caller: GoogleCaller;
  private readonly pageSize: number;

  constructor(options: GoogleCalendarSourceOptions) {
    this.api = calendar({
      version: 'v3',
      auth: options.auth,
      retry: false,
      timeout: options.timeoutMs,
      ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
    });
    this.calendarIds = options.calendarIds;
    this.caller = new GoogleCaller(options.auth, options.limiter);
    this.pageSize = options.pageSize ?? 250;
  }

  async listEvents(
    calendarId: string,
    cursor: { syncToken: string | null; pageToken: string | null },
  ): Promise<CalendarPage> {
    const res = await this.caller.call(1, 'calendar-sync', () =>
      this.api.events.list({
        calendarId,
        singleEvents: true,
        maxResults: this.pageSize,
        ...(cursor.syncToken ? { syncToken: cursor.syncToken } : {}),
        ...(cursor.pageToken ? { pageToken: cursor.pageToken } : {}),
      }),
    );
    const zone = res.data.timeZone ?? null;
    return {
      changes: (res.data.items ?? []).flatMap((item) => mapGoogleEvent(item, zone) ?? []),
      nextPageToken: res.data.nextPageToken ?? null,
      nextSyncToken: res.data.nextPageToken ? null : (res.data.nextSyncToken ?? null),
    };
  }
}
