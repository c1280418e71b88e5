import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { ingestRaw } from '../helpers/ingest.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

const OWNER = 'dana@northwind.com';
const EMOJI = '\u{1F600}';

async function setup(orm: Orm) {
  const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
  const mb = await createMailbox(orm, ws, OWNER);
  return { ws, mb };
}

function goodMails(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) =>
    buildEml({
      from: `Sender ${i} <sender${i}@client${i}.com>`,
      to: [OWNER],
      messageId: `<good-${i}-${randomUUID()}@x>`,
    }),
  );
}

/** An ordinary email anyone can send: an emoji right at the snippet cut, a NUL in a Content-Type. */
function poisonMail(): Buffer {
  return Buffer.from(
    [
      'From: Eve Poison <eve@poison.example>',
      `To: ${OWNER}`,
      'Subject: quarterly numbers',
      'Date: Mon, 05 Oct 2026 10:00:00 +0000',
      `Message-ID: <poison-${randomUUID()}@x>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="BB"',
      '',
      '--BB',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `${'a'.repeat(199)}${EMOJI} and the rest of the message`,
      '--BB',
      'Content-Type: application/pdf\u0000; name="numbers.pdf"',
      'Content-Disposition: attachment; filename="numbers.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'aGVsbG8=',
      '--BB--',
      '',
    ].join('\r\n'),
  );
}

async function storedEmails(orm: Orm, mailboxId: string) {
  return orm.em
    .fork()
    .execute<{ subject: string; snippet: string; attachments: { contentType: string }[] }[]>(
      'select subject, snippet, attachments from email where mailbox_id = ? order by subject',
      [mailboxId],
    );
}

describe('one poison email among good ones', () => {
  it('stores every message, the poison one cleaned, and fails none', async ({ orm, pool }) => {
    const { ws, mb } = await setup(orm);
    const mails = [...goodMails(3), poisonMail(), ...goodMails(3)];
    const result = await ingestRaw(orm, pool, ws, mb, mails, { batchSize: 50 });

    expect(result.outcomes.filter((o) => o.status !== 'stored')).toEqual([]);
    expect(result.counters.emailsStored).toBe(7);
    const rows = await storedEmails(orm, mb);
    expect(rows).toHaveLength(7);
    const poison = rows.find((r) => r.subject === 'quarterly numbers');
    expect(poison?.snippet).toBe(`${'a'.repeat(199)}${EMOJI}`);
    expect(poison?.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
  });

  it('a row the database refuses fails only that message, with its reason', async ({
    orm,
    pool,
  }) => {
    const { ws, mb } = await setup(orm);
    // A refusal the text boundary cannot prevent: a check that fails for one subject in this
    // workspace only (other test files share the database).
    const name = `refuse_${randomUUID().replaceAll('-', '')}`;
    const em = orm.em.fork();
    await em.execute(
      `create function ${name}() returns trigger language plpgsql as $$
       begin
         if new.workspace_id = '${ws}'::uuid and new.subject = 'refuse me' then
           raise exception 'refused for the test' using errcode = 'check_violation';
         end if;
         return new;
       end $$`,
    );
    await em.execute(
      `create trigger ${name} before insert on email for each row execute function ${name}()`,
    );
    try {
      const refused = buildEml({
        from: 'Rex <rex@refused.example>',
        to: [OWNER],
        subject: 'refuse me',
        messageId: `<refused-${randomUUID()}@x>`,
      });
      const mails = [...goodMails(2), refused, ...goodMails(2)];
      const result = await ingestRaw(orm, pool, ws, mb, mails, { batchSize: 50 });

      const failed = result.outcomes.filter((o) => o.status === 'failed');
      expect(failed).toEqual([
        {
          key: 'msg-2',
          status: 'failed',
          reason: 'database refused the message (SQLSTATE 23514): refused for the test',
        },
      ]);
      expect(result.outcomes.filter((o) => o.status === 'stored')).toHaveLength(4);
      expect(result.counters.emailsStored).toBe(4);
      const rows = await storedEmails(orm, mb);
      expect(rows).toHaveLength(4);
      expect(rows.some((r) => r.subject === 'refuse me')).toBe(false);
    } finally {
      await em.execute(`drop trigger ${name} on email`);
      await em.execute(`drop function ${name}()`);
    }
  });
});
