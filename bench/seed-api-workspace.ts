import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Seeds one workspace for `bench api` straight in SQL (generate_series), since ingesting 200,000
 * messages through the parser would take the bench longer than it measures: N emails over two
 * years in one mailbox, with a person per 20 emails, a company per 100, two participants per
 * email (the rep and the correspondent), an activity per email, and a meeting per 50 emails with
 * two attendees and an activity each. Words come from a small vocabulary so search has hits of
 * every frequency.
 */
const WORDS = [
  'proposal',
  'invoice',
  'renewal',
  'meeting',
  'pricing',
  'contract',
  'angebot',
  'rechnung',
  'proposta',
  'reunião',
  'demo',
  'onboarding',
  'security',
  'review',
  'quarterly',
  'roadmap',
  'discount',
  'integration',
  'feedback',
  'support',
  'migration',
  'timeline',
  'budget',
  'legal',
];

export interface SeedCounts {
  emails: number;
  people: number;
  companies: number;
  activities: number;
  meetings: number;
}

export async function seedApiWorkspace(
  em: EntityManager,
  ids: { workspaceId: string; mailboxId: string },
  emails: number,
): Promise<SeedCounts> {
  const companies = Math.max(1, Math.floor(emails / 100));
  const people = Math.max(1, Math.floor(emails / 20));
  const meetings = Math.max(1, Math.floor(emails / 50));
  const ws = ids.workspaceId;
  const mb = ids.mailboxId;
  const words = `array[${WORDS.map((w) => `'${w}'`).join(',')}]`;
  // One transaction: it pins one connection, which the temporary tables below live on.
  return em.transactional(async (tx) => {
    const x = (sql: string, params: unknown[] = []) => tx.execute(sql, params);
    await x(
      `insert into company (id, workspace_id, domain, name, source)
     select gen_random_uuid(), ?::uuid, 'company' || i || '.example', 'Company ' || i, 'email'
       from generate_series(1, ?) i`,
      [ws, companies],
    );
    await x(
      `insert into person (id, workspace_id, primary_email, first_name, last_name, company_id, source)
     select gen_random_uuid(), ?::uuid, 'person' || i || '@company' || (i % ?) + 1 || '.example',
            'First' || i, 'Last' || i,
            (select id from company where workspace_id = ? and domain = 'company' || (i % ?) + 1 || '.example'),
            'email'
       from generate_series(1, ?) i`,
      [ws, companies, ws, companies, people],
    );
    await x(
      `insert into person_email (workspace_id, email, person_id)
     select workspace_id, primary_email, id from person where workspace_id = ?`,
      [ws],
    );
    await x(
      `create temporary table seed_person as
       select row_number() over (order by primary_email) as n, id, primary_email, company_id
         from person where workspace_id = ?`,
      [ws],
    );
    await x(
      `insert into email (id, workspace_id, mailbox_id, provider_message_id, internet_message_id,
                        logical_key, thread_key, direction, subject, snippet, text_body, sent_at)
     select gen_random_uuid(), ?::uuid, ?::uuid, 'msg' || i, '<msg' || i || '@bench.example>',
            'msg' || i, 'thread' || (i / 3), case when i % 2 = 0 then 'inbound' else 'outbound' end,
            'Re: ' || (${words})[1 + i % 24] || ' ' || (${words})[1 + (i / 7) % 24] || ' #' || i,
            'About the ' || (${words})[1 + (i / 3) % 24],
            'Hello, about the ' || (${words})[1 + (i / 3) % 24] || ' and the '
              || (${words})[1 + (i / 11) % 24] || '. Best regards, First' || (1 + i % ?),
            now() - (i || ' minutes')::interval * (1051200.0 / ?)
       from generate_series(1, ?) i`,
      [ws, mb, people, emails, emails],
    );
    await x(
      `create temporary table seed_email as
       select id, (substring(provider_message_id from 4))::int as i, sent_at, direction
         from email where workspace_id = ?`,
      [ws],
    );
    await x(
      `insert into email_participant (email_id, workspace_id, role, address, display_name, position,
                                    linkable, person_id, company_id)
     select e.id, ?::uuid, case when e.direction = 'inbound' then 'from' else 'to' end, p.primary_email,
            'First' || p.n, 0, true, p.id, p.company_id
       from seed_email e join seed_person p on p.n = 1 + e.i % ?
     union all
     select e.id, ?::uuid, case when e.direction = 'inbound' then 'to' else 'from' end,
            'rep@bench.example', 'Rep', 0, false, null, null
       from seed_email e`,
      [ws, people, ws],
    );
    // The search document as the email_search_html migration computes it for rows stored before
    // it (ingest computes the same weights in code, with its normaliser; the words here are ASCII).
    await x(
      `update email e set search =
         setweight(to_tsvector('simple', e.subject), 'A') ||
         setweight(to_tsvector('simple', coalesce((
           select string_agg(ep.display_name || ' ' || ep.address || ' ' ||
                             regexp_replace(ep.address, '[@.+_-]+', ' ', 'g'), ' ')
             from email_participant ep where ep.email_id = e.id), '')), 'B') ||
         setweight(to_tsvector('simple', e.text_body), 'C')
        where e.workspace_id = ?`,
      [ws],
    );
    await x(
      `insert into activity (id, workspace_id, type, person_id, company_id, email_id,
                           internet_message_id, occurred_at, idempotency_key)
     select gen_random_uuid(), ?::uuid, case when e.direction = 'inbound' then 'EMAIL_RECEIVED' else 'EMAIL_SENT' end,
            p.id, p.company_id, e.id, '<msg' || e.i || '@bench.example>', e.sent_at, 'email:' || e.i
       from seed_email e join seed_person p on p.n = 1 + e.i % ?`,
      [ws, people],
    );
    await x(
      `insert into calendar_event (id, workspace_id, mailbox_id, provider_event_id, ical_uid, title,
                                 starts_at, ends_at, status, organizer, logical_key, series_key)
     select gen_random_uuid(), ?::uuid, ?::uuid, 'evt' || i, 'uid' || i || '@bench.example',
            (${words})[1 + i % 24] || ' call',
            date_trunc('hour', now()) - (i || ' hours')::interval * (17520.0 / ?) ,
            date_trunc('hour', now()) - (i || ' hours')::interval * (17520.0 / ?) + interval '30 minutes',
            'confirmed', 'rep@bench.example', 'uid' || i, 'uid' || i
       from generate_series(1, ?) i`,
      [ws, mb, meetings, meetings, meetings],
    );
    await x(
      `insert into calendar_event_attendee (event_id, workspace_id, email, display_name, role,
                                          person_id, company_id, linkable)
     select c.id, ?::uuid, p.primary_email, 'First' || p.n, 'attendee', p.id, p.company_id, true
       from calendar_event c
       join seed_person p on p.n = 1 + (substring(c.provider_event_id from 4))::int * 7 % ?
      where c.workspace_id = ?`,
      [ws, people, ws],
    );
    await x(
      `insert into activity (id, workspace_id, type, person_id, company_id, calendar_event_id,
                           ical_uid, occurred_at, idempotency_key)
     select gen_random_uuid(), ?::uuid, 'MEETING_SCHEDULED', a.person_id, a.company_id, c.id, c.ical_uid,
            c.starts_at, 'meeting:' || c.provider_event_id
       from calendar_event c join calendar_event_attendee a on a.event_id = c.id
      where c.workspace_id = ?`,
      [ws, ws],
    );
    // Fresh statistics, as autovacuum would have them in a running system.
    await x('analyze');
    await x('drop table seed_email');
    await x('drop table seed_person');
    return { emails, people, companies, activities: emails + meetings * 1, meetings };
  });
}
