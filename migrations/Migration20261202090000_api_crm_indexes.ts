import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes behind the CRM API's people, companies and timeline routes (issue 12, item 5).
 * - `q` on people and companies is a case-insensitive substring match (`like '%q%'` on lower-case
 *   text), served by pg_trgm GIN indexes: the name of a person, every address (person_email,
 *   already lower-case), a company's name and domain. Queries of fewer than three characters get
 *   no trigram and scan the workspace's rows, which the workspace indexes bound.
 * - People are listed by primary address (keyset on `primary_email, id`), companies by domain
 *   (the existing unique `(workspace_id, domain)`).
 * - `person.company_id` had no index: a company's people (`companyId` filter, `peopleCount`) and
 *   the foreign key's `on delete set null` both need one.
 * - Timelines page newest first on `(occurred_at desc, id desc)`: the activity indexes gain the
 *   `id` tiebreak so the keyset condition is an index condition and no sort step is needed.
 */
export class Migration20261202090000_api_crm_indexes extends Migration {
  override up(): void {
    this.addSql(`
      create extension if not exists pg_trgm;
      create index if not exists person_workspace_email_idx
        on person (workspace_id, primary_email, id);
      create index if not exists person_company_idx on person (company_id)
        where company_id is not null;
      create index if not exists person_name_trgm_idx
        on person using gin (lower(first_name || ' ' || last_name) gin_trgm_ops);
      create index if not exists person_email_trgm_idx
        on person_email using gin (email gin_trgm_ops);
      create index if not exists company_name_trgm_idx
        on company using gin (lower(name) gin_trgm_ops);
      create index if not exists company_domain_trgm_idx
        on company using gin (domain gin_trgm_ops);

      drop index if exists activity_person_idx;
      create index activity_person_idx on activity (person_id, occurred_at desc, id desc);
      drop index if exists activity_company_idx;
      create index activity_company_idx on activity (company_id, occurred_at desc, id desc)
        where company_id is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index if exists activity_company_idx;
      create index activity_company_idx on activity (company_id, occurred_at desc)
        where company_id is not null;
      drop index if exists activity_person_idx;
      create index activity_person_idx on activity (person_id, occurred_at desc);
      drop index if exists company_domain_trgm_idx;
      drop index if exists company_name_trgm_idx;
      drop index if exists person_email_trgm_idx;
      drop index if exists person_name_trgm_idx;
      drop index if exists person_company_idx;
      drop index if exists person_workspace_email_idx;
    `);
  }
}
