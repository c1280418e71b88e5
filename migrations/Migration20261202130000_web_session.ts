import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions of the web views (`/app`, issue 14): signing in with an API key makes one, carried by an
 * HttpOnly cookie. Only the hash of the cookie's token is stored; the CSRF token every
 * state-changing request with the cookie must repeat in `x-csrf-token` is stored with it. A
 * session ends at sign-out, at `expires_at`, or with its key (revoking the key ends its sessions).
 */
export class Migration20261202130000_web_session extends Migration {
  override up(): void {
    this.addSql(`
      create table web_session (
        token_hash text primary key,
        api_key_id uuid not null references api_key(id) on delete cascade,
        workspace_id uuid not null references workspace(id) on delete cascade,
        csrf_token text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      );
      create index web_session_expires_idx on web_session (expires_at);
    `);
  }

  override down(): void {
    this.addSql(`drop table web_session;`);
  }
}
