/**
 * The SQL that builds an email as `export` shows it (`exportEmailSchema`), shared by the export
 * and the API's email reads so both map participants and invitations the same way. Fragments
 * only, with no parameters: they expect the email as `e` and its mailbox as `m` in the statement.
 */

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** An instant as the read models print it: ISO 8601 UTC with milliseconds. */
export const isoMs = (col: string): string => `to_char(${col} at time zone 'UTC', ${ISO_MS})`;

/** An instant with microseconds, PostgreSQL's full precision: for keyset cursors. */
export const isoUs = (col: string): string =>
  `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The `json_build_object` arguments of one export email, in the schema's key order. */
export const EMAIL_DOCUMENT_FIELDS = `
  'id', e.id, 'mailboxEmail', m.email, 'providerMessageId', e.provider_message_id,
  'internetMessageId', e.internet_message_id, 'direction', e.direction,
  'from', (select ep.address from email_participant ep
            where ep.email_id = e.id and ep.role = 'from' order by ep.position limit 1),
  'to', (select coalesce(json_agg(ep.address order by ep.position), '[]')
           from email_participant ep where ep.email_id = e.id and ep.role = 'to'),
  'cc', (select coalesce(json_agg(ep.address order by ep.position), '[]')
           from email_participant ep where ep.email_id = e.id and ep.role = 'cc'),
  'subject', e.subject, 'sentAt', ${isoMs('e.sent_at')}, 'threadKey', e.thread_key,
  'labels', e.labels, 'crmSkipReason', e.crm_skip_reason,
  'participants', (select coalesce(json_agg(json_build_object(
                      'email', ep.address, 'role', ep.role, 'personEmail', p.primary_email,
                      'companyDomain', c.domain) order by ep.position), '[]')
                    from email_participant ep
                    left join person p on p.id = ep.person_id
                    left join company c on c.id = ep.company_id
                   where ep.email_id = e.id),
  'invitation', case when e.ical_uid is null then null else json_build_object(
                  'method', e.ical_method, 'iCalUid', e.ical_uid,
                  'linkedEvents', (select count(*) from calendar_event ev
                                    where ev.workspace_id = e.workspace_id
                                      and ev.ical_uid = e.ical_uid and not ev.deleted)) end,
  'deleted', e.deleted`;
