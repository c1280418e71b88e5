import { Migration } from '@mikro-orm/migrations';

/**
 * Reply and bounce detection (issue 11, items 1 and 2).
 * - `email.bounce`: the delivery report a message is (mail/bounce, read by the parser worker), or
 *   null. Indexed on the Message-ID it reports on, so our outbound message stored after its
 *   bounce finds it.
 * - Indexes that find, in the workspace, the replies to an outbound message stored after them
 *   (In-Reply-To, References) and our outbound messages a reply or bounce names (Message-ID).
 * - `activity`: the outbound message an EMAIL_REPLIED answers or an EMAIL_BOUNCED reports on
 *   (`related_*`), the reply time in seconds for analytics, and the bounce's recipient and status.
 * - `person_email.bounced_at`/`bounce_status`: the address is bouncing (shown in export).
 * Existing rows get nulls: replies and bounces stored before are not detected retroactively.
 */
export class Migration20261202040000_replies_bounces extends Migration {
  override up(): void {
    this.addSql(`
      alter table email add column if not exists bounce jsonb;
      create index if not exists email_bounce_original_idx
        on email (workspace_id, (bounce->>'originalMessageId')) where bounce is not null;
      create index if not exists email_message_id_idx
        on email (workspace_id, internet_message_id) where internet_message_id is not null;
      create index if not exists email_in_reply_to_idx
        on email (workspace_id, in_reply_to) where in_reply_to is not null;
      create index if not exists email_references_idx on email using gin ("references");

      alter table activity add column if not exists related_email_id uuid
        references email(id) on delete set null;
      alter table activity add column if not exists related_internet_message_id text;
      alter table activity add column if not exists reply_seconds integer;
      alter table activity add column if not exists bounce_recipient text;
      alter table activity add column if not exists bounce_status text;

      alter table person_email add column if not exists bounced_at timestamptz;
      alter table person_email add column if not exists bounce_status text;
    `);
  }

  override down(): void {
    this.addSql(`
      alter table person_email drop column if exists bounce_status;
      alter table person_email drop column if exists bounced_at;
      alter table activity drop column if exists bounce_status;
      alter table activity drop column if exists bounce_recipient;
      alter table activity drop column if exists reply_seconds;
      alter table activity drop column if exists related_internet_message_id;
      alter table activity drop column if exists related_email_id;
      drop index if exists email_references_idx;
      drop index if exists email_in_reply_to_idx;
      drop index if exists email_message_id_idx;
      drop index if exists email_bounce_original_idx;
      alter table email drop column if exists bounce;
    `);
  }
}
