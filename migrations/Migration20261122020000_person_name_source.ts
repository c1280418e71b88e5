import { Migration } from '@mikro-orm/migrations';

/**
 * Where a person's synced name came from, so the name does not depend on the order mail arrives
 * in: a name from the person's own From header (rank 2) beats one from a To/Cc/Bcc field (rank 1),
 * and within a rank the most recent message wins.
 */
export class Migration20261122020000_person_name_source extends Migration {
  override up(): void {
    this.addSql(`
      alter table person
        add column name_rank smallint not null default 0,
        add column name_observed_at timestamptz;
    `);
  }

  override down(): void {
    this.addSql('alter table person drop column name_rank, drop column name_observed_at;');
  }
}
