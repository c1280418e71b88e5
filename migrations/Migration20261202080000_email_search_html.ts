import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 12, API emails. The HTML body as received (capped like the text body; the API sanitises it
 * when it serves it) and a full-text `search` document, filled at ingest from subject (A),
 * participants' names and addresses (B) and body text (C) with the `simple` configuration after
 * a normaliser in code (mail/search-text.ts: NFKC, lower case, CJK bigrams).
 *
 * Existing rows keep an empty HTML body (it was never stored) and get their `search` from SQL
 * here, without the normaliser: no NFKC and no CJK bigrams, so a Chinese, Japanese or Korean word
 * inside a sentence of an older message is not found until it is ingested again.
 *
 * Indexes, by the query that uses them (db/read-models/api-emails.ts):
 * - `email_search_idx` (GIN): `q`, `search @@ websearch_to_tsquery(...)`.
 * - `email_participant_person_email_idx`, `email_participant_company_email_idx`: the `personId` /
 *   `personEmail` and `companyId` / `companyDomain` filters (`exists` per email, and the planner
 *   can start from the person's or company's participant rows). The initial
 *   `email_participant_person_idx` (person_id) is now redundant with the first; it is left in
 *   place here, dropping it is a separate change.
 * - `email_workspace_sent_idx` (api_keys migration) serves the newest-first list and its cursor;
 *   `email_workspace_thread_idx` (initial) the thread.
 */
export class Migration20261202080000_email_search_html extends Migration {
  override up(): void {
    this.addSql(`
      alter table email
        add column html_body text not null default '',
        add column html_body_truncated boolean not null default false,
        add column search tsvector not null default ''::tsvector;
      update email e set search =
        setweight(to_tsvector('simple', left(e.subject, 2000)), 'A') ||
        setweight(to_tsvector('simple', coalesce((
          select string_agg(ep.display_name || ' ' || ep.address || ' ' ||
                            regexp_replace(ep.address, '[@.+_-]+', ' ', 'g'), ' ' order by ep.position)
            from email_participant ep where ep.email_id = e.id), '')), 'B') ||
        setweight(to_tsvector('simple', left(e.text_body, 50000)), 'C');
      create index email_search_idx on email using gin (search);
      create index email_participant_person_email_idx on email_participant (person_id, email_id)
        where person_id is not null;
      create index email_participant_company_email_idx on email_participant (company_id, email_id)
        where company_id is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index email_participant_company_email_idx;
      drop index email_participant_person_email_idx;
      drop index email_search_idx;
      alter table email drop column search, drop column html_body_truncated, drop column html_body;
    `);
  }
}
