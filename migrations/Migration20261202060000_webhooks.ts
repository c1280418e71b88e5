import { Migration } from '@mikro-orm/migrations';

/**
 * Signed webhooks (issue 11, item 4; product.md "Webhooks").
 * - `webhook`: an endpoint of a workspace. `event_types` null means every type. `secret` is the
 *   `whsec_…` signing secret sealed like refresh tokens (SecretBox; `keys:rotate` re-seals it).
 *   A `410 Gone` sets `enabled = false` with the reason; `last_error` is the latest failed attempt.
 * - `webhook_delivery`: one row per (webhook, event), the unit of at-least-once delivery. The
 *   envelope is kept as `json` (text, key order kept), so every retry and replay signs the same
 *   body. `status` is the contract's
 *   `retrying` (queued or waiting for its next attempt) | `delivered` | `failed`; `replays` counts
 *   `webhook:replay` runs and makes each one's job id new.
 * - `webhook_attempt`: the per-attempt log (time, response status, duration, error, the first
 *   1 KB of the response body), kept after the delivery settles.
 */
export class Migration20261202060000_webhooks extends Migration {
  override up(): void {
    this.addSql(`
      create table webhook (
        id uuid primary key,
        workspace_id uuid not null references workspace(id) on delete cascade,
        url text not null,
        event_types text[],
        secret text not null,
        enabled boolean not null default true,
        disabled_reason text,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz not null default now()
      );
      create index webhook_workspace_enabled_idx on webhook (workspace_id) where enabled;

      create table webhook_delivery (
        webhook_id uuid not null references webhook(id) on delete cascade,
        event_id text not null,
        event_type text not null,
        envelope json not null,
        status text not null default 'retrying'
          check (status in ('retrying', 'delivered', 'failed')),
        attempts int not null default 0,
        replays int not null default 0,
        response_status int,
        error text,
        last_attempt_at timestamptz,
        created_at timestamptz not null default now(),
        primary key (webhook_id, event_id)
      );
      create index webhook_delivery_created_idx on webhook_delivery (webhook_id, created_at);

      create table webhook_attempt (
        id bigint generated always as identity primary key,
        webhook_id uuid not null,
        event_id text not null,
        at timestamptz not null,
        response_status int,
        duration_ms int not null,
        error text,
        response_body text,
        foreign key (webhook_id, event_id) references webhook_delivery (webhook_id, event_id)
          on delete cascade
      );
      create index webhook_attempt_delivery_idx on webhook_attempt (webhook_id, event_id, at);
    `);
  }

  override down(): void {
    this.addSql('drop table if exists webhook_attempt, webhook_delivery, webhook;');
  }
}
