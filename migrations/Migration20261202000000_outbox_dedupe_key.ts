import { Migration } from '@mikro-orm/migrations';

/**
 * One dedupe-key rule for every outbox row, `type:workspace:occurrence` (src/events/catalog.ts).
 * Rows written before used four formats; rewriting them keeps an event already announced from
 * being announced again under the new rule. `email.*` rows already had this form.
 */
export class Migration20261202000000_outbox_dedupe_key extends Migration {
  override up(): void {
    this.addSql(`
      update outbox_event set dedupe_key = type || ':' || workspace_id || ':' || aggregate_id
       where type in ('person.created', 'company.created')
         and dedupe_key = type || ':' || aggregate_id;
      update outbox_event
         set dedupe_key = type || ':' || workspace_id || ':'
                          || substr(dedupe_key, length('activity:' || workspace_id || ':') + 1)
       where type like 'meeting.%' and dedupe_key like 'activity:%';
      update outbox_event
         set dedupe_key = type || ':' || workspace_id || ':' || substr(dedupe_key, length(type) + 2)
       where type = 'mailbox.reauth_required'
         and dedupe_key like type || ':' || aggregate_id || ':%';
    `);
  }

  override down(): void {
    this.addSql(`
      update outbox_event set dedupe_key = type || ':' || aggregate_id
       where type in ('person.created', 'company.created');
      update outbox_event
         set dedupe_key = 'activity:' || workspace_id || ':'
                          || substr(dedupe_key, length(type || ':' || workspace_id || ':') + 1)
       where type like 'meeting.%';
      update outbox_event
         set dedupe_key = type || ':' || substr(dedupe_key, length(type || ':' || workspace_id || ':') + 1)
       where type = 'mailbox.reauth_required';
    `);
  }
}
