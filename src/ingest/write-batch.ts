import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClassifiedMessage, ClassifiedParticipant } from '../crm/classify-message.ts';
import { companyNameFromDomain } from '../crm/domains.ts';
import { buildEmailRow, buildParticipantRows, type EmailRow } from './build-rows.ts';
import { companyId, personId } from './ids.ts';
import { emptyCounters, type IngestCounters, type IngestItem } from './ingest-types.ts';
import { withTransactionRetry } from './transaction-retry.ts';

/**
 * Persists a batch of classified messages of one mailbox in one transaction: emails, participants,
 * companies, people, links, activities and outbox events, all with INSERT … ON CONFLICT on the
 * unique keys, so re-ingesting is a no-op and events are written exactly when the row they announce
 * is created.
 *
 * Writes are serialised per workspace with a transaction-scoped advisory lock. Without it two
 * transactions can each miss the other's uncommitted rows (mailbox A links a cc'd address while
 * mailbox B creates that person) and leave a link gap; with it every batch sees all earlier ones.
 * Parsing, the expensive part, happens before and outside the lock.
 */
export interface ClassifiedItem {
  item: IngestItem;
  classified: ClassifiedMessage;
}

const json = (value: unknown): string => JSON.stringify(value);

export async function writeBatch(
  em: EntityManager,
  workspaceId: string,
  mailboxId: string,
  batch: readonly ClassifiedItem[],
): Promise<IngestCounters> {
  return withTransactionRetry(() =>
    em.fork().transactional(async (tx) => writeInTransaction(tx, workspaceId, mailboxId, batch)),
  );
}

async function writeInTransaction(
  tx: EntityManager,
  workspaceId: string,
  mailboxId: string,
  batch: readonly ClassifiedItem[],
): Promise<IngestCounters> {
  const counters = emptyCounters();
  await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [workspaceId]);

  // Deduplicate within the batch (the same provider id twice) and sort for stable lock order.
  const byId = new Map<string, { row: EmailRow; classified: ClassifiedMessage }>();
  for (const { item, classified } of batch) {
    const row = buildEmailRow(workspaceId, mailboxId, item, classified);
    byId.set(row.id, { row, classified });
  }
  const entries = [...byId.values()].sort((a, b) => a.row.id.localeCompare(b.row.id));

  const inserted = await tx.execute<{ id: string }[]>(
    `insert into email (id, workspace_id, mailbox_id, provider_message_id, provider_thread_id,
       internet_message_id, in_reply_to, "references", logical_key, thread_key, direction, labels,
       subject, snippet, text_body, text_body_truncated, sent_at, size_bytes, attachments,
       automation, crm_skip_reason)
     select r.id, r.workspace_id, r.mailbox_id, r.provider_message_id, r.provider_thread_id,
       r.internet_message_id, r.in_reply_to, r."references", r.logical_key, r.thread_key,
       r.direction, r.labels, r.subject, r.snippet, r.text_body, r.text_body_truncated, r.sent_at,
       r.size_bytes, r.attachments, r.automation, r.crm_skip_reason
     from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, mailbox_id uuid,
       provider_message_id text, provider_thread_id text, internet_message_id text,
       in_reply_to text, "references" text[], logical_key text, thread_key text, direction text,
       labels text[], subject text, snippet text, text_body text, text_body_truncated boolean,
       sent_at timestamptz, size_bytes integer, attachments jsonb, automation jsonb,
       crm_skip_reason text)
     on conflict (mailbox_id, provider_message_id) do nothing
     returning id`,
    [json(entries.map((e) => e.row))],
  );
  const insertedIds = new Set(inserted.map((r) => r.id));
  counters.emailsStored = insertedIds.size;
  counters.emailsAlreadyStored = entries.length - insertedIds.size;
  const fresh = entries.filter((e) => insertedIds.has(e.row.id));
  if (fresh.length === 0) {
    return counters;
  }

  for (const { classified } of fresh) {
    const reason = classified.crmSkipReason;
    if (reason) {
      counters.messagesSkipped[reason] = (counters.messagesSkipped[reason] ?? 0) + 1;
    }
    for (const p of classified.participants) {
      if (p.skipReason) {
        counters.participantsSkipped[p.skipReason] =
          (counters.participantsSkipped[p.skipReason] ?? 0) + 1;
      }
    }
  }

  await tx.execute(
    `insert into email_participant (email_id, workspace_id, role, address, display_name, position,
       linkable, skip_reason)
     select * from jsonb_to_recordset(?::jsonb) as r(email_id uuid, workspace_id uuid, role text,
       address text, display_name text, position integer, linkable boolean, skip_reason text)
     on conflict do nothing`,
    [json(fresh.flatMap(({ row, classified }) => buildParticipantRows(row, classified)))],
  );

  const creators = new Map<string, Creator>();
  for (const { row, classified } of fresh) {
    for (const p of classified.participants) {
      if (!p.create) {
        continue;
      }
      const candidate = creatorOf(p, row.sent_at);
      const known = creators.get(p.address);
      if (!known || betterName(candidate, known)) {
        creators.set(p.address, candidate);
      }
    }
  }
  const newPeople = await createPeopleAndCompanies(
    tx,
    workspaceId,
    [...creators.values()],
    counters,
  );

  const linked = await tx.execute<{ email_id: string }[]>(
    `update email_participant ep
        set person_id = pe.person_id, company_id = p.company_id
       from person_email pe join person p on p.id = pe.person_id
      where ep.workspace_id = ? and pe.workspace_id = ep.workspace_id and pe.email = ep.address
        and ep.linkable and ep.person_id is null
        and (ep.email_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
             or ep.address in (select jsonb_array_elements_text(?::jsonb)))
      returning ep.email_id`,
    [workspaceId, json(fresh.map((e) => e.row.id)), json(newPeople)],
  );
  counters.participantsLinked = linked.length;
  const affected = [...new Set(linked.map((r) => r.email_id))];

  const activities = await tx.execute<{ id: string }[]>(
    `insert into activity (id, workspace_id, type, person_id, company_id, email_id,
       internet_message_id, occurred_at, idempotency_key)
     select md5(x.key)::uuid, x.workspace_id, x.type, x.person_id, x.company_id, x.email_id,
       x.internet_message_id, x.occurred_at, x.key
       from (
         select e.workspace_id, ep.person_id, ep.company_id, e.id as email_id,
                e.internet_message_id, coalesce(e.sent_at, e.created_at) as occurred_at,
                case e.direction when 'inbound' then 'EMAIL_RECEIVED' else 'EMAIL_SENT' end as type,
                (case e.direction when 'inbound' then 'EMAIL_RECEIVED' else 'EMAIL_SENT' end)
                  || ':' || ep.person_id || ':' || e.logical_key as key
           from email_participant ep join email e on e.id = ep.email_id
          where ep.email_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
            and ep.person_id is not null and e.crm_skip_reason is null and not e.deleted
            and ((e.direction = 'inbound' and ep.role = 'from')
              or (e.direction = 'outbound' and ep.role <> 'from'))
          order by e.sent_at nulls last, e.id, ep.position
       ) x
     on conflict (workspace_id, idempotency_key) do nothing
     returning id`,
    [json(affected)],
  );
  counters.activitiesCreated = activities.length;

  const announce = fresh.filter((e) => !e.row.crm_skip_reason);
  await tx.execute(
    `insert into outbox_event (workspace_id, type, aggregate_type, aggregate_id, payload, dedupe_key)
     select r.workspace_id, r.type, 'email', r.id, r.payload, r.dedupe_key
       from jsonb_to_recordset(?::jsonb) as r(workspace_id uuid, type text, id uuid,
         payload jsonb, dedupe_key text)
     on conflict (dedupe_key) do nothing`,
    [
      json(
        announce.map(({ row }) => {
          const type = row.direction === 'inbound' ? 'email.received' : 'email.sent';
          return {
            workspace_id: workspaceId,
            type,
            id: row.id,
            payload: {
              emailId: row.id,
              mailboxId,
              internetMessageId: row.internet_message_id,
              threadKey: row.thread_key,
              subject: row.subject,
              sentAt: row.sent_at,
            },
            dedupe_key: `${type}:${workspaceId}:${row.logical_key}`,
          };
        }),
      ),
    ],
  );
  return counters;
}

/**
 * A participant who creates (or names) a person, with where its name came from. Names must not
 * depend on the order mail is ingested in: a name from the person's own From header (rank 2)
 * beats one from a To/Cc/Bcc field (rank 1), then the most recent message wins, then the name
 * itself breaks a tie. The same order is applied in SQL to people already stored.
 */
interface Creator extends ClassifiedParticipant {
  nameRank: number;
  observedAt: string | null;
}

function creatorOf(p: ClassifiedParticipant, sentAt: string | null): Creator {
  const named = p.name.firstName !== '' || p.name.lastName !== '';
  return {
    ...p,
    nameRank: named ? (p.role === 'from' ? 2 : 1) : 0,
    observedAt: named ? sentAt : null,
  };
}

function betterName(a: Creator, b: Creator): boolean {
  if (a.nameRank !== b.nameRank) {
    return a.nameRank > b.nameRank;
  }
  const at = a.observedAt ?? '';
  const bt = b.observedAt ?? '';
  if (at !== bt) {
    return at > bt;
  }
  return `${a.name.firstName} ${a.name.lastName}` > `${b.name.firstName} ${b.name.lastName}`;
}

/**
 * Creates the companies and people this batch calls for (deterministic ids, ON CONFLICT DO
 * NOTHING, events only for rows actually inserted), fills empty names and missing companies of
 * existing people unless a user edited them. Returns the addresses of people created now.
 */
async function createPeopleAndCompanies(
  tx: EntityManager,
  workspaceId: string,
  creators: Creator[],
  counters: IngestCounters,
): Promise<string[]> {
  if (creators.length === 0) {
    return [];
  }
  const existing = await tx.execute<{ email: string; person_id: string }[]>(
    `select email, person_id from person_email
      where workspace_id = ? and email in (select jsonb_array_elements_text(?::jsonb))`,
    [workspaceId, json(creators.map((c) => c.address))],
  );
  const known = new Map(existing.map((r) => [r.email, r.person_id]));

  const domains = [
    ...new Set(creators.map((c) => c.companyDomain).filter((d): d is string => d !== null)),
  ].sort();
  const companies = await tx.execute<{ id: string; domain: string }[]>(
    `insert into company (id, workspace_id, domain, name, source)
     select r.id, r.workspace_id, r.domain, r.name, 'email'
       from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, domain text, name text)
     on conflict (workspace_id, domain) do nothing
     returning id, domain`,
    [
      json(
        domains.map((domain) => ({
          id: companyId(workspaceId, domain),
          workspace_id: workspaceId,
          domain,
          name: companyNameFromDomain(domain),
        })),
      ),
    ],
  );
  counters.companiesCreated = companies.length;
  await insertEvents(
    tx,
    companies.map((c) => ({
      workspaceId,
      type: 'company.created',
      aggregateType: 'company',
      id: c.id,
      payload: { companyId: c.id, domain: c.domain },
    })),
  );

  const people = creators
    .filter((c) => !known.has(c.address))
    .sort((a, b) => a.address.localeCompare(b.address))
    .map((c) => ({
      id: personId(workspaceId, c.address),
      workspace_id: workspaceId,
      primary_email: c.address,
      first_name: c.name.firstName,
      last_name: c.name.lastName,
      name_rank: c.nameRank,
      name_observed_at: c.observedAt,
      company_domain: c.companyDomain,
    }));
  const created = await tx.execute<{ id: string; primary_email: string }[]>(
    `with input as (
       select * from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid,
         primary_email text, first_name text, last_name text, name_rank smallint,
         name_observed_at timestamptz, company_domain text)
     ), ins as (
       insert into person (id, workspace_id, primary_email, first_name, last_name, name_rank,
         name_observed_at, company_id, source)
       select i.id, i.workspace_id, i.primary_email, i.first_name, i.last_name, i.name_rank,
         i.name_observed_at, c.id, 'email'
         from input i left join company c
           on c.workspace_id = i.workspace_id and c.domain = i.company_domain
       on conflict (id) do nothing
       returning id, primary_email
     )
     insert into person_email (workspace_id, email, person_id)
     select ?, ins.primary_email, ins.id from ins
     on conflict do nothing
     returning person_id as id, email as primary_email`,
    [json(people), workspaceId],
  );
  counters.peopleCreated = created.length;
  await insertEvents(
    tx,
    created.map((p) => ({
      workspaceId,
      type: 'person.created',
      aggregateType: 'person',
      id: p.id,
      payload: { personId: p.id, email: p.primary_email },
    })),
  );

  // Existing people: a better-sourced name (see Creator) and a missing company, never a field a
  // user edited.
  const updates = creators
    .filter((c) => known.has(c.address))
    .map((c) => ({
      person_id: known.get(c.address),
      first_name: c.name.firstName,
      last_name: c.name.lastName,
      name_rank: c.nameRank,
      name_observed_at: c.observedAt,
      company_domain: c.companyDomain,
    }));
  if (updates.length > 0) {
    await tx.execute(
      `with input as (
         select r.*, c.id as company_id
           from jsonb_to_recordset(?::jsonb) as r(person_id uuid, first_name text, last_name text,
                  name_rank smallint, name_observed_at timestamptz, company_domain text)
           left join company c on c.workspace_id = ? and c.domain = r.company_domain
       ), decided as (
         select i.*,
                (not p.edited_fields && array['firstName','lastName'] and i.name_rank > 0 and (
                   i.name_rank > p.name_rank
                   or (i.name_rank = p.name_rank and (
                         coalesce(i.name_observed_at, '-infinity') > coalesce(p.name_observed_at, '-infinity')
                         or (coalesce(i.name_observed_at, '-infinity') = coalesce(p.name_observed_at, '-infinity')
                             and i.first_name || ' ' || i.last_name > p.first_name || ' ' || p.last_name)))))
                  as rename,
                (p.company_id is null and i.company_id is not null
                  and not 'companyId' = any(p.edited_fields)) as set_company
           from input i join person p on p.id = i.person_id
       )
       update person p
          set first_name = case when d.rename then d.first_name else p.first_name end,
              last_name = case when d.rename then d.last_name else p.last_name end,
              name_rank = case when d.rename then d.name_rank else p.name_rank end,
              name_observed_at = case when d.rename then d.name_observed_at else p.name_observed_at end,
              company_id = case when d.set_company then d.company_id else p.company_id end,
              updated_at = now()
         from decided d
        where p.id = d.person_id and (d.rename or d.set_company)`,
      [json(updates), workspaceId],
    );
  }
  return created.map((p) => p.primary_email);
}

interface EventInput {
  workspaceId: string;
  type: string;
  aggregateType: string;
  id: string;
  payload: Record<string, unknown>;
}

async function insertEvents(tx: EntityManager, events: EventInput[]): Promise<void> {
  if (events.length === 0) {
    return;
  }
  await tx.execute(
    `insert into outbox_event (workspace_id, type, aggregate_type, aggregate_id, payload, dedupe_key)
     select r.workspace_id, r.type, r.aggregate_type, r.id, r.payload, r.type || ':' || r.id
       from jsonb_to_recordset(?::jsonb) as r(workspace_id uuid, type text, aggregate_type text,
         id uuid, payload jsonb)
     on conflict (dedupe_key) do nothing`,
    [
      json(
        events.map((e) => ({
          workspace_id: e.workspaceId,
          type: e.type,
          aggregate_type: e.aggregateType,
          id: e.id,
          payload: e.payload,
        })),
      ),
    ],
  );
}
