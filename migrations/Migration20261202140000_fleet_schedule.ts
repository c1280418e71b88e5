import { Migration } from '@mikro-orm/migrations';

/**
 * The fleet scheduler (jobs/poll-mailboxes.job.ts) polls each mailbox when it is due instead of
 * every mailbox on every tick. `next_poll_at` is when it is due (null: now, as for a mailbox just
 * connected or stored before this migration); the index holds only the mailboxes that may sync,
 * ordered by due time with null as the earliest, so a tick reads the due ones and stops at the
 * first that is not. `push_healthy_until` is set by the push layer to the expiry of the mailbox's
 * live Gmail watch / Graph subscriptions: a mailbox with it in the future is polled rarely.
 */
export class Migration20261202140000_fleet_schedule extends Migration {
  override up(): void {
    this.addSql(`alter table mailbox add column next_poll_at timestamptz null;`);
    this.addSql(`alter table mailbox add column push_healthy_until timestamptz null;`);
    this.addSql(
      `create index mailbox_poll_due_idx on mailbox ((coalesce(next_poll_at, '-infinity'::timestamptz)))
        where status in ('active', 'syncing', 'error');`,
    );
    // Stale syncs (a worker died: `syncing` past its heartbeat) are few; found without a scan.
    this.addSql(
      `create index mailbox_sync_alive_idx on mailbox ((coalesce(sync_alive_until, '-infinity'::timestamptz)))
        where status = 'syncing';`,
    );
  }

  override down(): void {
    this.addSql(`drop index if exists mailbox_sync_alive_idx;`);
    this.addSql(`drop index if exists mailbox_poll_due_idx;`);
    this.addSql(`alter table mailbox drop column push_healthy_until;`);
    this.addSql(`alter table mailbox drop column next_poll_at;`);
  }
}
