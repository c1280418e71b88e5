import { z } from 'zod';
import { companyNameFromDomain } from '../../addresses/domains.ts';
import { companyId, personId } from '../../crm/ids.ts';
import {
  personUpdate,
  type PersonCandidate,
  type PersonUpdate,
  type StoredPerson,
} from '../../crm/person-candidates.ts';
import type { DomainEvent } from '../../events/catalog.ts';
import { appendEvents } from '../outbox.ts';
import { jsonb, queryRows, run, type Db } from '../sql.ts';

/**
 * The people and companies half of the CRM store that mail and calendar share: who a batch
 * creates, names and assigns to a company, with `person.created` / `company.created` for the rows
 * created now and never for rows that were already there.
 */
export interface PeopleResult {
  companiesCreated: number;
  peopleCreated: number;
  /** Addresses of the people created now: their earlier mail and meetings still need links. */
  newPeople: string[];
}

const CompanyRow = z.object({ id: z.string(), domain: z.string() });
const PersonRow = z.object({ id: z.string(), primary_email: z.string() });
const StoredRow = z.object({
  address: z.string(),
  id: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  name_rank: z.number(),
  name_observed_at: z.string().nullable(),
  company_id: z.string().nullable(),
  edited_fields: z.array(z.string()),
  candidate_company_id: z.string().nullable(),
});

/** `candidates`: one per address (see `bestCandidates`). */
export async function createPeopleAndCompanies(
  tx: Db,
  workspaceId: string,
  candidates: readonly PersonCandidate[],
  source: 'email' | 'calendar',
): Promise<PeopleResult> {
  if (candidates.length === 0) {
    return { companiesCreated: 0, peopleCreated: 0, newPeople: [] };
  }
  const companies = await insertCompanies(tx, workspaceId, candidates, source);
  const stored = await loadStoredPeople(tx, workspaceId, candidates);
  const people = await insertPeople(
    tx,
    workspaceId,
    candidates.filter((c) => !stored.has(c.address)),
    source,
  );
  await updatePeople(
    tx,
    candidates.flatMap((c) => {
      const known = stored.get(c.address);
      const update = known ? personUpdate(known.person, c, known.candidateCompanyId) : null;
      return update ? [update] : [];
    }),
  );
  await appendEvents(tx, [
    ...companies.map((c): DomainEvent => ({
      type: 'company.created',
      workspaceId,
      aggregateId: c.id,
      occurrence: c.id,
      data: { companyId: c.id, domain: c.domain },
    })),
    ...people.map((p): DomainEvent => ({
      type: 'person.created',
      workspaceId,
      aggregateId: p.id,
      occurrence: p.id,
      data: { personId: p.id, email: p.primary_email },
    })),
  ]);
  return {
    companiesCreated: companies.length,
    peopleCreated: people.length,
    newPeople: people.map((p) => p.primary_email),
  };
}

async function insertCompanies(
  tx: Db,
  workspaceId: string,
  candidates: readonly PersonCandidate[],
  source: string,
): Promise<z.infer<typeof CompanyRow>[]> {
  const domains = [
    ...new Set(candidates.map((c) => c.companyDomain).filter((d): d is string => d !== null)),
  ].sort();
  if (domains.length === 0) {
    return [];
  }
  return queryRows(
    tx,
    CompanyRow,
    `insert into company (id, workspace_id, domain, name, source)
     select r.id, r.workspace_id, r.domain, r.name, r.source
       from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, domain text, name text,
         source text)
     on conflict (workspace_id, domain) do nothing
     returning id, domain`,
    [
      jsonb(
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
}

/**
 * People that already own a candidate's address, with the id of the candidate's company. The
 * name's time comes as ISO 8601 text, the form candidates carry, so both compare alike.
 */
async function loadStoredPeople(
  tx: Db,
  workspaceId: string,
  candidates: readonly PersonCandidate[],
): Promise<Map<string, { person: StoredPerson; candidateCompanyId: string | null }>> {
  const rows = await queryRows(
    tx,
    StoredRow,
    `select r.address, p.id, p.first_name, p.last_name, p.name_rank,
            to_char(p.name_observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
              as name_observed_at,
            p.company_id, p.edited_fields, c.id as candidate_company_id
       from jsonb_to_recordset(?::jsonb) as r(address text, company_domain text)
       join person_email pe on pe.workspace_id = ? and pe.email = r.address
       join person p on p.id = pe.person_id
       left join company c on c.workspace_id = ? and c.domain = r.company_domain`,
    [
      jsonb(candidates.map((c) => ({ address: c.address, company_domain: c.companyDomain }))),
      workspaceId,
      workspaceId,
    ],
  );
  return new Map(
    rows.map((r) => [
      r.address,
      {
        person: {
          id: r.id,
          name: { firstName: r.first_name, lastName: r.last_name },
          nameRank: r.name_rank,
          observedAt: r.name_observed_at,
          companyId: r.company_id,
          editedFields: r.edited_fields,
        },
        candidateCompanyId: r.candidate_company_id,
      },
    ]),
  );
}

async function insertPeople(
  tx: Db,
  workspaceId: string,
  candidates: readonly PersonCandidate[],
  source: string,
): Promise<z.infer<typeof PersonRow>[]> {
  if (candidates.length === 0) {
    return [];
  }
  const people = [...candidates]
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
  return queryRows(
    tx,
    PersonRow,
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
    [jsonb(people), workspaceId],
  );
}

/** Applies what `personUpdate` decided; the decision itself is not repeated here. */
async function updatePeople(tx: Db, updates: readonly PersonUpdate[]): Promise<void> {
  if (updates.length === 0) {
    return;
  }
  await run(
    tx,
    `update person p
        set first_name = case when r.rename then r.first_name else p.first_name end,
            last_name = case when r.rename then r.last_name else p.last_name end,
            name_rank = case when r.rename then r.name_rank else p.name_rank end,
            name_observed_at = case when r.rename then r.name_observed_at else p.name_observed_at end,
            company_id = coalesce(r.company_id, p.company_id),
            updated_at = now()
       from jsonb_to_recordset(?::jsonb) as r(person_id uuid, rename boolean, first_name text,
              last_name text, name_rank smallint, name_observed_at timestamptz, company_id uuid)
      where p.id = r.person_id`,
    [
      jsonb(
        updates.map((u) => ({
          person_id: u.personId,
          rename: u.rename !== null,
          first_name: u.rename?.name.firstName ?? null,
          last_name: u.rename?.name.lastName ?? null,
          name_rank: u.rename?.nameRank ?? null,
          name_observed_at: u.rename?.observedAt ?? null,
          company_id: u.companyId,
        })),
      ),
    ],
  );
}
