import { Migration } from '@mikro-orm/migrations';

/**
 * Messages a sync could not ingest (unparseable, over a cap), with the reason: one bad message is
 * recorded and skipped on later passes instead of stopping the mailbox or being retried forever.
 */
export class Migration20261122010000_message_failure extends Migration {
  override up(): void {
    this.addSql(`
      create table message_failure (
        mailbox_id uuid not null references mailbox(id) on delete cascade,
        provider_message_id text not null,
        reason text not null,
        attempts integer not null default 1,
        first_failed_at timestamptz not null default now(),
        last_failed_at timestamptz not null default now(),
        primary key (mailbox_id, provider_message_id)
      );
    `);
  }

  override down(): void {
    this.addSql('drop table if exists message_failure;');
  }
}
