import { isoMs } from './email-document.ts';

/**
 * SQL fragments that build the export's documents in `json_build_object`, shared by the export
 * read model and the API's read models so a person or an event has one definition. Each takes
 * the aliases its query gives the tables.
 */

/** The export's person: `p` a person row, `c` its company (left joined). */
export function personJsonArgs(p: string, c: string): string {
  return `'id', ${p}.id, 'email', ${p}.primary_email,
      'emails', (select coalesce(json_agg(pe.email order by pe.email <> ${p}.primary_email, pe.email), '[]')
                   from person_email pe where pe.person_id = ${p}.id),
      'firstName', ${p}.first_name, 'lastName', ${p}.last_name,
      'companyDomain', ${c}.domain, 'source', ${p}.source, 'createdAt', ${isoMs(`${p}.created_at`)},
      'bouncedEmails', (select coalesce(json_agg(json_build_object('email', pe.email,
                           'status', pe.bounce_status, 'bouncedAt', ${isoMs('pe.bounced_at')})
                           order by pe.email), '[]')
                          from person_email pe where pe.person_id = ${p}.id and pe.bounced_at is not null)`;
}

/**
 * The export's event: `ev` a calendar_event row, `m` its mailbox. `withPersonId` adds each
 * attendee's linked person id (the API's form).
 */
export function eventJsonArgs(ev: string, m: string, withPersonId = false): string {
  return `'mailboxEmail', ${m}.email, 'calendarId', ${ev}.calendar_id,
      'providerEventId', ${ev}.provider_event_id, 'iCalUid', ${ev}.ical_uid, 'title', ${ev}.title,
      'startsAt', ${isoMs(`${ev}.starts_at`)}, 'endsAt', ${isoMs(`${ev}.ends_at`)}, 'allDay', ${ev}.all_day,
      'startDate', to_char(${ev}.start_date, 'YYYY-MM-DD'), 'endDate', to_char(${ev}.end_date, 'YYYY-MM-DD'),
      'timeZone', ${ev}.time_zone, 'status', ${ev}.status, 'organizer', ${ev}.organizer,
      'kind', ${ev}.kind, 'recurringEventId', ${ev}.recurring_event_id,
      'originalStart', ${isoMs(`${ev}.original_start`)}, 'location', ${ev}.location,
      'conferenceUrl', ${ev}.conference_url,
      'attendees', (select coalesce(json_agg(json_build_object(
                       'email', at.email, 'displayName', at.display_name, 'role', at.role,
                       'responseStatus', at.response_status, 'optional', at.optional,
                       'personEmail', p.primary_email, 'companyDomain', c.domain
                       ${withPersonId ? `, 'personId', at.person_id` : ''})
                       order by at.role desc, at.email), '[]')
                     from calendar_event_attendee at
                     left join person p on p.id = at.person_id
                     left join company c on c.id = at.company_id
                    where at.event_id = ${ev}.id),
      'invitations', (select coalesce(json_agg(json_build_object(
                         'providerMessageId', e.provider_message_id, 'method', e.ical_method)
                         order by e.sent_at, e.provider_message_id), '[]')
                       from email e
                      where e.workspace_id = ${ev}.workspace_id and e.ical_uid = ${ev}.ical_uid)`;
}

/**
 * The export's activity as a jsonb expression: `a` an activity row, `p` its person, `c` its
 * company (left joined). Reply and bounce activities carry their extras.
 */
export function activityJsonb(a: string, p: string, c: string): string {
  return `jsonb_build_object(
      'type', ${a}.type, 'personEmail', ${p}.primary_email, 'companyDomain', ${c}.domain,
      'internetMessageId', ${a}.internet_message_id, 'iCalUid', ${a}.ical_uid,
      'occurredAt', ${isoMs(`${a}.occurred_at`)}) || case ${a}.type
        when 'EMAIL_REPLIED' then jsonb_build_object(
          'inReplyToInternetMessageId', ${a}.related_internet_message_id,
          'replySeconds', ${a}.reply_seconds)
        when 'EMAIL_BOUNCED' then jsonb_build_object(
          'bouncedInternetMessageId', ${a}.related_internet_message_id,
          'bounceRecipient', ${a}.bounce_recipient, 'bounceStatus', ${a}.bounce_status)
        else '{}'::jsonb end`;
}
