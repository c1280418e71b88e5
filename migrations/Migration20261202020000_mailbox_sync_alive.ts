import { Migration } from '@mikro-orm/migrations';

/**
 * A running mail sync keeps pushing `sync_alive_until` forward (its heartbeat); a mailbox that
 * says `syncing` past that instant has lost its worker, and `mailbox:status` says so (`stale`).
 */
export class Migration20261202020000_mailbox_sync_alive extends Migration {
  override up(): void {
    this.addSql(`alter table mailbox add column sync_alive_until timestamptz null;`);
  }

  override down(): void {
    this.addSql(`alter table mailbox drop column sync_alive_until;`);
  }
}
