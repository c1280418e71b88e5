import { Migration } from '@mikro-orm/migrations';

/**
 * Engagement tracking (issue 13): the tokens a tracked message carries, and every hit on them.
 *
 * `tracking_token` maps a token's random part (`token_id`, 32 hex characters; the signature is
 * checked before any lookup) to the message, its attributed recipient and, for a click, the one
 * URL the redirect may go to. `engagement_hit` stores each hit raw with its classification; a hit
 * on an unknown or tampered token is never stored. Both go with their email.
 */
export class Migration20261202110000_tracking extends Migration {
  override up(): void {
    this.addSql(`
      create table tracking_token (
        token_id text primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        email_id uuid not null references email(id) on delete cascade,
        kind text not null check (kind in ('open', 'click')),
        url text null,
        recipient text null,
        attribution text not null check (attribution in ('single', 'ambiguous')),
        created_at timestamptz not null default now(),
        check ((kind = 'click') = (url is not null))
      );
      -- The email's tokens (links in the message, cascade on delete).
      create index tracking_token_email_idx on tracking_token (email_id, kind);

      create table engagement_hit (
        id bigserial primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        token_id text not null references tracking_token(token_id) on delete cascade,
        email_id uuid not null references email(id) on delete cascade,
        kind text not null check (kind in ('open', 'click')),
        url text null,
        ip text not null,
        user_agent text null,
        method text not null,
        classification text not null check (classification in ('human', 'machine')),
        reason text null,
        at timestamptz not null default now(),
        check ((classification = 'human') = (reason is null))
      );
      -- A message's hits in time order: the click-burst rule, export and the engagements API.
      create index engagement_hit_email_idx on engagement_hit (email_id, at);
      create index engagement_hit_token_idx on engagement_hit (token_id);
      create index engagement_hit_workspace_idx on engagement_hit (workspace_id, at);
    `);
  }

  override down(): void {
    this.addSql(`
      drop table engagement_hit;
      drop table tracking_token;
    `);
  }
}
