import { Migration } from '@mikro-orm/migrations';

/**
 * The failure ledger becomes a queue to retry (issue 10 item 2): `next_attempt_at` is when a
 * failed message is due for its next try, null once it has used its attempts (then it stays,
 * with its reason, as permanently failed). Entries recorded before retries existed were never
 * retried; many were healthy mail a busy machine timed out, so they are due now, up to the
 * default five attempts.
 */
export class Migration20261202010000_message_failure_retry extends Migration {
  override up(): void {
    this.addSql(`
      alter table message_failure add column next_attempt_at timestamptz;
      update message_failure set next_attempt_at = now() where attempts < 5;
      create index message_failure_due_idx on message_failure (mailbox_id, next_attempt_at)
        where next_attempt_at is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index if exists message_failure_due_idx;
      alter table message_failure drop column if exists next_attempt_at;
    `);
  }
}
