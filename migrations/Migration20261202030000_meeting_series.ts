import { Migration } from '@mikro-orm/migrations';

/**
 * A recurring series is one meeting for activities (issue 10, item 6). Each event row gets the
 * key of the meeting it schedules people for (`series_key`: the series for an occurrence, the
 * event's own logical key otherwise; src/crm/ids.ts `meetingSeriesKey` computes the same), and
 * MEETING_SCHEDULED activities written one per occurrence are collapsed into one per series and
 * person:
 * - the earliest (occurred_at, then created_at, then id) is kept and takes the new key
 *   `MEETING_SCHEDULED:<person>:<series_key>`, so the next sync finds it and adds none; its id
 *   stays (ids only follow from keys for new rows; the unique key is the guard);
 * - the others are deleted. Nothing references an activity row, so nothing else moves.
 * - Outbox rows stay as they are: a `meeting.scheduled` event per occurrence was already written
 *   and possibly delivered (queue, webhooks, the pull feed whose ids never change); deleting
 *   them would rewrite history consumers have seen, and there is no retraction event to send.
 *   Only activities from now on follow the rule.
 * Activities whose event row is gone (calendar_event_id null) cannot be told apart and stay.
 * Idempotent (a second run finds one row per series and person, already keyed) and
 * deterministic. `down` drops the column; the deleted duplicates are not restored.
 */
export class Migration20261202030000_meeting_series extends Migration {
  override up(): void {
    this.addSql(`
      alter table calendar_event add column if not exists series_key text;
      update calendar_event set series_key = case
          when kind <> 'instance' then logical_key
          -- Outlook's Global Object ID: bytes 16-19 (hex 33-40) hold an occurrence's date.
          when ical_uid ~* '^040000008200E00074C5B7101A82E008[0-9A-F]{8}'
            then 'ical:' || overlay(ical_uid placing '00000000' from 33 for 8)
          when ical_uid is not null then 'ical:' || ical_uid
          when recurring_event_id is not null
            then 'series:' || mailbox_id || ':' || calendar_id || ':' || recurring_event_id
          else logical_key
        end
       where series_key is null;
      alter table calendar_event alter column series_key set not null;

      with ranked as (
        select a.id, ev.series_key,
               row_number() over (partition by a.workspace_id, a.person_id, ev.series_key
                                  order by a.occurred_at, a.created_at, a.id) as rank
          from activity a join calendar_event ev on ev.id = a.calendar_event_id
         where a.type = 'MEETING_SCHEDULED'
      )
      delete from activity a using ranked r where a.id = r.id and r.rank > 1;

      update activity a
         set idempotency_key = 'MEETING_SCHEDULED:' || a.person_id || ':' || ev.series_key
        from calendar_event ev
       where ev.id = a.calendar_event_id and a.type = 'MEETING_SCHEDULED'
         and a.idempotency_key <> 'MEETING_SCHEDULED:' || a.person_id || ':' || ev.series_key
         -- A row already holding the new key (its event since gone) stands for the series.
         and not exists (
           select 1 from activity o
            where o.workspace_id = a.workspace_id
              and o.idempotency_key = 'MEETING_SCHEDULED:' || a.person_id || ':' || ev.series_key);
    `);
  }

  override down(): void {
    this.addSql(`alter table calendar_event drop column if exists series_key;`);
  }
}
