import { Migration } from '@mikro-orm/migrations';

/**
 * The event relay's feed order. Identity ids are taken at insert but transactions commit out of
 * order, so "id > last seen" would skip a row that commits late. The relay instead numbers rows
 * (`seq`) as it claims them, one relay at a time, after they are committed: a row committed later
 * always gets a larger number, numbers have no gaps, and the event id is derived from it.
 * Partial indexes keep each relay step off the published bulk of the table; the last one is the
 * pull feed's `(workspace, seq)` walk.
 */
export class Migration20261202050000_outbox_feed_seq extends Migration {
  override up(): void {
    this.addSql(`
      alter table outbox_event add column seq bigint null;
      create unique index outbox_event_seq_uq on outbox_event (seq);
      create index outbox_event_unsequenced_idx on outbox_event (id) where seq is null;
      drop index outbox_event_unpublished_idx;
      create index outbox_event_unpublished_idx on outbox_event (seq)
        where published_at is null and seq is not null;
      create index outbox_event_feed_idx on outbox_event (workspace_id, seq) where seq is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index outbox_event_feed_idx;
      drop index outbox_event_unpublished_idx;
      drop index outbox_event_unsequenced_idx;
      drop index outbox_event_seq_uq;
      alter table outbox_event drop column seq;
      create index outbox_event_unpublished_idx on outbox_event (id) where published_at is null;
    `);
  }
}
