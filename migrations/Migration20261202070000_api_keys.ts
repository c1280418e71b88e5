import { Migration } from '@mikro-orm/migrations';

/**
 * API keys (issue 12): a key is `mr_<prefix>_<secret>`; only the prefix (to find the row) and a
 * SHA-256 of the whole key are stored, so a database dump gives no usable key. The key is
 * high-entropy (a random 32-byte secret), so a fast hash is enough (no password stretching).
 * Revoked keys stay, for the audit trail. The indexes behind the API's newest-first lists.
 */
export class Migration20261202070000_api_keys extends Migration {
  override up(): void {
    this.addSql(`
      create table api_key (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        name text not null default '',
        prefix text not null unique,
        key_hash text not null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      create index api_key_workspace_idx on api_key (workspace_id);
      create index email_workspace_sent_idx on email (workspace_id, sent_at desc nulls last, id desc);
      create index activity_company_idx on activity (company_id, occurred_at desc)
        where company_id is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index activity_company_idx;
      drop index email_workspace_sent_idx;
      drop table api_key;
    `);
  }
}
