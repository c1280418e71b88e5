import { Migration } from '@mikro-orm/migrations';

/**
 * Mail sent through `POST /api/v1/messages` (issue 13): one row per send, the record that makes a
 * retried request with the same `Idempotency-Key` return the first result and never send twice.
 *
 * - `status`: `sending` while an attempt holds it (`attempt_started_at` is its lease), `sent`
 *   once the provider confirmed it, `unknown` when an attempt ended without knowing (a timeout):
 *   the next attempt asks the provider before sending anything, `failed` when the provider
 *   refused it (nothing was sent; a retry with the same key tries again). `attempts` counts the
 *   attempts: taking the record over is conditional on it, so two retries never both send.
 * - `message`: the message as built the first time (MIME, parts, tracking tokens), so every
 *   attempt sends exactly the same bytes with the same tokens.
 * - `progress`: what the provider said before the send itself (a Graph draft's id).
 */
export class Migration20261202120000_outbound_message extends Migration {
  override up(): void {
    this.addSql(`
      create table outbound_message (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        mailbox_id uuid not null references mailbox(id) on delete cascade,
        idempotency_key text null,
        request_hash text not null,
        status text not null check (status in ('sending', 'sent', 'unknown', 'failed')),
        attempt_started_at timestamptz not null default now(),
        attempts integer not null default 1,
        message jsonb not null,
        progress jsonb not null default '{}',
        internet_message_id text null,
        provider_message_id text null,
        email_id uuid null references email(id) on delete set null,
        thread_key text null,
        error jsonb null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (workspace_id, idempotency_key)
      );
      create index outbound_message_mailbox_idx on outbound_message (mailbox_id, created_at);
    `);
  }

  override down(): void {
    this.addSql(`drop table outbound_message;`);
  }
}
