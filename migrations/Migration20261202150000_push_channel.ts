import { Migration } from '@mikro-orm/migrations';

/**
 * Push channels (issue 15): a mailbox's Gmail watch or Graph subscriptions, one row per watched
 * resource. Graph notifications are recognised by `external_id` (the subscription id) and trusted
 * by their `clientState`, of which only a SHA-256 digest is stored. `renew_at` is when the worker
 * renews the channel; `last_push_at` when a push for it last arrived (an operator's view of
 * whether push works).
 */
export class Migration20261202150000_push_channel extends Migration {
  override up(): void {
    this.addSql(`
      create table mailbox_push_channel (
        mailbox_id uuid not null references mailbox(id) on delete cascade,
        resource text not null,
        external_id text,
        client_state_hash bytea,
        expires_at timestamptz not null,
        renew_at timestamptz not null,
        last_push_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (mailbox_id, resource)
      );
      create unique index mailbox_push_channel_external_idx
        on mailbox_push_channel (external_id) where external_id is not null;
      create index mailbox_push_channel_renew_idx on mailbox_push_channel (renew_at);
      -- A Gmail push names its mailbox by address only, in whichever workspace holds it.
      create index mailbox_email_idx on mailbox (email);
    `);
  }

  override down(): void {
    this.addSql(`drop table mailbox_push_channel; drop index mailbox_email_idx;`);
  }
}
