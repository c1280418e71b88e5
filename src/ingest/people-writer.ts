import type { EntityManager } from '@mikro-orm/postgresql';
import type { PersonName } from '../crm/display-name.ts';
import { companyNameFromDomain } from '../crm/domains.ts';
import { companyId, personId } from './ids.ts';
import type { IngestCounters } from './ingest-types.ts';

const json = (value: unknown): string => JSON.stringify(value);

/**
 * A participant who creates (or names) a person, with where its name came from. Names must not
 * depend on the order mail is ingested in: a name from the person's own From header (rank 2)
 * beats one from a To/Cc/Bcc field (rank 1), then the most recent message wins, then the name
 * itself breaks a tie. The same order is applied in SQL to people already stored.
 */
export interface PersonCandidate {
  address: string;
  name: PersonName;
  /** Registrable, non-personal domain the person's company is keyed on (null: no company). */
  companyDomain: string | null;
  nameRank: number;
  observedAt: string | null;
}

/** `rank`: 2 for a name the person gave themselves (From, a meeting's organizer), else 1. */
export function creatorOf(
  p: { address: string; name: PersonName; companyDomain: string | null },
  rank: number,
  observedAt: string | null,
): PersonCandidate {
  const named = p.name.firstName !== '' || p.name.lastName !== '';
  return {
    address: p.address,
    name: p.name,
    companyDomain: p.companyDomain,
    nameRank: named ? rank : 0,
    observedAt: named ? observedAt : null,
  };
}

export function betterName(a: PersonCandidate, b: PersonCandidate): boolean {
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
export async function createPeopleAndCompanies(
  tx: EntityManager,
  workspaceId: string,
  creators: PersonCandidate[],
  counters: Pick<IngestCounters, 'companiesCreated' | 'peopleCreated'>,
  source: 'email' | 'calendar',
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
     select r.id, r.workspace_id, r.domain, r.name, r.source
       from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, domain text, name text,
         source text)
     on conflict (workspace_id, domain) do nothing
     returning id, domain`,
    [
      json(
        domains.map((domain) => ({
          id: companyId(workspaceId, domain),
          workspace_id: workspaceId,
          domain,
          name: companyNameFromDomain(domain),
          source,
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
      source,
    }));
  const created = await tx.execute<{ id: string; primary_email: string }[]>(
    `with input as (
       select * from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid,
         primary_email text, first_name text, last_name text, name_rank smallint,
         name_observed_at timestamptz, company_domain text, source text)
     ), ins as (
       insert into person (id, workspace_id, primary_email, first_name, last_name, name_rank,
         name_observed_at, company_id, source)
       select i.id, i.workspace_id, i.primary_email, i.first_name, i.last_name, i.name_rank,
         i.name_observed_at, c.id, i.source
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

export interface EventInput {
  workspaceId: string;
  type: string;
  aggregateType: string;
  id: string;
  payload: Record<string, unknown>;
}

export async function insertEvents(tx: EntityManager, events: EventInput[]): Promise<void> {
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
