import { Migration } from '@mikro-orm/migrations';

/**
 * Calendar sync: events are keyed per calendar (one Google account can see the same event id in
 * two calendars), carry what change detection and full resyncs need (a fingerprint of time and
 * attendees, the listing round that last saw them), and each calendar's cursor lives in its own
 * row so a calendar job never overwrites the mail job's checkpoint. Emails remember the
 * invitation they carry (METHOD + UID) so they link to the event by UID.
 */
export class Migration20261122030000_calendar_sync extends Migration {
  override up(): void {
    this.addSql(`
      alter table calendar_event
        add column calendar_id text not null default 'primary',
        add column kind text not null default 'single' check (kind in ('single', 'instance', 'master')),
        add column original_start timestamptz,
        add column logical_key text not null default '',
        add column fingerprint text not null default '',
        add column time_zone text,
        add column recurrence text[] not null default '{}',
        add column provider_updated_at timestamptz,
        add column seen_in_round text;
      alter table calendar_event drop constraint calendar_event_mailbox_id_provider_event_id_key;
      alter table calendar_event
        add constraint calendar_event_mailbox_calendar_event_key
        unique (mailbox_id, calendar_id, provider_event_id);
      create index calendar_event_series_idx on calendar_event (mailbox_id, recurring_event_id);

      alter table calendar_event_attendee
        add column optional boolean not null default false,
        add column linkable boolean not null default false,
        add column skip_reason text;
      -- People created later are linked to their earlier meetings by address.
      create index calendar_event_attendee_address_idx on calendar_event_attendee (workspace_id, email);

      create table calendar_cursor (
        mailbox_id uuid not null references mailbox(id) on delete cascade,
        calendar_id text not null,
        sync_token text,
        page_token text,
        round_id text,
        window_start timestamptz,
        window_end timestamptz,
        full_syncs integer not null default 0,
        last_synced_at timestamptz,
        last_error text,
        updated_at timestamptz not null default now(),
        primary key (mailbox_id, calendar_id)
      );

      alter table email
        add column ical_uid text,
        add column ical_method text;
      create index email_ical_idx on email (workspace_id, ical_uid) where ical_uid is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index if exists email_ical_idx;
      alter table email drop column ical_uid, drop column ical_method;
      drop table if exists calendar_cursor;
      drop index if exists calendar_event_attendee_address_idx;
      alter table calendar_event_attendee
        drop column optional, drop column linkable, drop column skip_reason;
      drop index if exists calendar_event_series_idx;
      alter table calendar_event drop constraint calendar_event_mailbox_calendar_event_key;
      alter table calendar_event
        add constraint calendar_event_mailbox_id_provider_event_id_key
        unique (mailbox_id, provider_event_id);
      alter table calendar_event
        drop column calendar_id, drop column kind, drop column original_start,
        drop column logical_key, drop column fingerprint, drop column time_zone,
        drop column recurrence, drop column provider_updated_at, drop column seen_in_round;
    `);
  }
}
