import { Migration } from '@mikro-orm/migrations';

/**
 * `DELETE /api/v1/mailboxes/{id}?purge=true` answers at once and purges in the background. The
 * request is kept on the mailbox until the purge has finished, so an API process that stops
 * half-way (or that waited for a running sync job) leaves it for the next one to continue.
 */
export class Migration20261202100000_api_lifecycle extends Migration {
  override up(): void {
    this.addSql(`
      alter table mailbox add column purge_requested_at timestamptz null;
      create index mailbox_purge_requested_idx on mailbox (purge_requested_at)
        where purge_requested_at is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index mailbox_purge_requested_idx;
      alter table mailbox drop column purge_requested_at;
    `);
  }
}
