import { Migration } from '@mikro-orm/migrations';

/**
 * Initial schema. Uniqueness that makes ingest exactly-once lives here, in the database, not in
 * application checks: one email per (mailbox, provider id), one person per address per workspace
 * (person_email), one company per domain per workspace, one activity per idempotency key, one
 * outbox event per dedupe key.
 */
export class Migration20261122000000_initial extends Migration {
  override up(): void {
    this.addSql(`
      create table workspace (
        id uuid primary key,
        name text not null,
        internal_domains text[] not null default '{}',
        blocklist text[] not null default '{}',
        settings jsonb not null default '{}',
        created_at timestamptz not null default now()
      );

      create table mailbox (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        provider text not null check (provider in ('google', 'microsoft')),
        email text not null check (email = lower(email)),
        aliases text[] not null default '{}',
        credentials text,
        status text not null default 'active',
        auto_create_policy text not null default 'sent_and_received'
          check (auto_create_policy in ('none', 'sent', 'sent_and_received')),
        settings jsonb not null default '{}',
        sync_state jsonb not null default '{}',
        last_error text,
        last_synced_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (workspace_id, email)
      );

      create table company (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        domain text not null check (domain = lower(domain)),
        name text not null,
        source text not null,
        edited_fields text[] not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (workspace_id, domain)
      );

      create table person (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        primary_email text not null check (primary_email = lower(primary_email)),
        first_name text not null default '',
        last_name text not null default '',
        company_id uuid references company(id) on delete set null,
        source text not null,
        edited_fields text[] not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index person_workspace_idx on person (workspace_id);

      -- Every address a person is known by; the primary key makes an address belong to at most
      -- one person per workspace, compared case-insensitively (addresses are stored lower-case).
      create table person_email (
        workspace_id uuid not null references workspace(id) on delete cascade,
        email text not null check (email = lower(email)),
        person_id uuid not null references person(id) on delete cascade,
        primary key (workspace_id, email)
      );
      create index person_email_person_idx on person_email (person_id);

      create table email (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        mailbox_id uuid not null references mailbox(id) on delete cascade,
        provider_message_id text not null,
        provider_thread_id text,
        internet_message_id text,
        in_reply_to text,
        "references" text[] not null default '{}',
        -- The same message in two mailboxes of a workspace shares this key (activities dedupe on it).
        logical_key text not null,
        thread_key text not null,
        direction text not null check (direction in ('inbound', 'outbound')),
        labels text[] not null default '{}',
        subject text not null default '',
        snippet text not null default '',
        text_body text not null default '',
        text_body_truncated boolean not null default false,
        sent_at timestamptz,
        size_bytes integer not null default 0,
        attachments jsonb not null default '[]',
        automation jsonb not null default '{}',
        crm_skip_reason text,
        deleted boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (mailbox_id, provider_message_id)
      );
      create index email_workspace_logical_idx on email (workspace_id, logical_key);
      create index email_workspace_thread_idx on email (workspace_id, thread_key);
      create index email_mailbox_sent_idx on email (mailbox_id, sent_at desc);

      -- Links from an email to its participants, and through them to people and companies.
      create table email_participant (
        email_id uuid not null references email(id) on delete cascade,
        workspace_id uuid not null references workspace(id) on delete cascade,
        role text not null check (role in ('from', 'to', 'cc', 'bcc')),
        address text not null check (address = lower(address)),
        display_name text not null default '',
        position integer not null,
        linkable boolean not null,
        skip_reason text,
        person_id uuid references person(id) on delete set null,
        company_id uuid references company(id) on delete set null,
        primary key (email_id, role, address)
      );
      create index email_participant_address_idx on email_participant (workspace_id, address);
      create index email_participant_person_idx on email_participant (person_id);

      create table calendar_event (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        mailbox_id uuid not null references mailbox(id) on delete cascade,
        provider_event_id text not null,
        ical_uid text,
        recurring_event_id text,
        title text not null default '',
        description text not null default '',
        location text not null default '',
        starts_at timestamptz,
        ends_at timestamptz,
        all_day boolean not null default false,
        start_date date,
        end_date date,
        status text not null check (status in ('confirmed', 'tentative', 'cancelled')),
        organizer text,
        conference_url text,
        deleted boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (mailbox_id, provider_event_id)
      );
      create index calendar_event_range_idx on calendar_event (workspace_id, starts_at, ends_at);
      create index calendar_event_ical_idx on calendar_event (workspace_id, ical_uid);

      create table calendar_event_attendee (
        event_id uuid not null references calendar_event(id) on delete cascade,
        workspace_id uuid not null references workspace(id) on delete cascade,
        email text not null check (email = lower(email)),
        display_name text not null default '',
        role text not null check (role in ('organizer', 'attendee')),
        response_status text not null default 'needsAction',
        person_id uuid references person(id) on delete set null,
        company_id uuid references company(id) on delete set null,
        primary key (event_id, email)
      );
      create index calendar_event_attendee_person_idx on calendar_event_attendee (person_id);

      create table activity (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        type text not null,
        person_id uuid not null references person(id) on delete cascade,
        company_id uuid references company(id) on delete set null,
        email_id uuid references email(id) on delete set null,
        calendar_event_id uuid references calendar_event(id) on delete set null,
        internet_message_id text,
        ical_uid text,
        occurred_at timestamptz not null,
        idempotency_key text not null,
        created_at timestamptz not null default now(),
        unique (workspace_id, idempotency_key)
      );
      create index activity_person_idx on activity (person_id, occurred_at desc);

      -- Transactional outbox: written in the same transaction as the change it announces.
      create table outbox_event (
        id bigint generated always as identity primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        type text not null,
        aggregate_type text not null,
        aggregate_id uuid not null,
        payload jsonb not null,
        dedupe_key text not null unique,
        created_at timestamptz not null default now(),
        published_at timestamptz
      );
      create index outbox_event_unpublished_idx on outbox_event (id) where published_at is null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop table if exists outbox_event, activity, calendar_event_attendee, calendar_event,
        email_participant, email, person_email, person, company, mailbox, workspace cascade;
    `);
  }
}
