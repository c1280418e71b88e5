import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import {
  mailboxJobSchema,
  recordMailboxFailure,
  type MailboxJobData,
} from '../../jobs/mailbox-job.ts';
import { initServices } from '../../src/app/services.ts';
import { startSyncWorker } from '../../src/app/sync-worker.ts';
import { parseConfig } from '../../src/config.ts';
import { insertEmails, type EmailRow } from '../../src/db/repositories/email.repository.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import {
  buildJobRegistry,
  jobOptionsFor,
  type JobDefinition,
} from '../../src/queue/job-definition.ts';
import { createSyncQueueEvents } from '../../src/queue/queues.ts';
import { it } from '../helpers/fixtures.ts';
import {
  createMailbox,
  createWorkspace,
  testDatabaseUrl,
  testRedisUrl,
} from '../helpers/test-orm.ts';

/**
 * Issue 10: `mailbox.last_error`, `mailbox:status` and warn logs stored whole SQL statements with
 * message bodies (124 KB seen). A job whose write PostgreSQL refuses (a real error: the statement
 * carries a 124 KB body) leaves a short classified reason there, and nowhere a statement or body.
 */
const BODY_MARK = 'CONFIDENTIAL-BODY-TEXT ';
const BODY = BODY_MARK.repeat(Math.ceil(124_000 / BODY_MARK.length));

function emailRow(workspaceId: string, mailboxId: string): EmailRow {
  return {
    id: randomUUID(),
    workspace_id: workspaceId,
    mailbox_id: mailboxId,
    provider_message_id: 'm-1',
    provider_thread_id: null,
    internet_message_id: '<m-1@example.com>',
    in_reply_to: null,
    references: [],
    logical_key: 'mid:<m-1@example.com>',
    thread_key: 'mid:<m-1@example.com>',
    direction: 'inbound',
    labels: [],
    subject: 'Quarterly numbers',
    snippet: BODY.slice(0, 200),
    text_body: BODY,
    text_body_truncated: false,
    html_body: '',
    html_body_truncated: false,
    // What PostgreSQL refuses: this is not a timestamp.
    sent_at: 'not a date',
    size_bytes: BODY.length,
    attachments: [],
    automation: {},
    crm_skip_reason: null,
    bounce: null,
    ical_uid: null,
    ical_method: null,
    search_subject: '',
    search_people: '',
    search_body: '',
  };
}

describe('a failed job leaves a short classified reason', () => {
  it('stores no SQL and no body in last_error, mailbox:status, logs or the job', async ({
    orm,
  }) => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const config = parseConfig({
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
    });
    const ws = await createWorkspace(orm);
    const mailboxId = await createMailbox(orm, ws, 'rep@ourco.com');

    const refusedWrite: JobDefinition<MailboxJobData> = {
      name: 'refused-write',
      schema: mailboxJobSchema,
      options: { attempts: 1 },
      deduplicationId: (data) => `refused-write-${data.mailboxId}`,
      handle: async (_job, data, ctx) => {
        await insertEmails(ctx.orm.em.fork(), [emailRow(ws, data.mailboxId)]);
      },
      onFailure: recordMailboxFailure,
    };
    const services = await initServices(config, { orm, log, queueRole: 'worker' });
    const events = createSyncQueueEvents(config, services.redis('worker'));
    const worker = startSyncWorker(services, buildJobRegistry([refusedWrite as never]));
    try {
      await events.waitUntilReady();
      const job = await services
        .syncQueue()
        .add(refusedWrite.name, { mailboxId }, jobOptionsFor(refusedWrite, { mailboxId }));
      const failed = await job.waitUntilFinished(events).then(
        () => null,
        (err: unknown) => err as Error,
      );
      const reason =
        'database: invalid input syntax for type timestamp with time zone: "not a date" (22007)';
      expect(failed?.message).toBe(reason);

      const status = await mailboxStatus(orm.em.fork(), mailboxId);
      expect(status).toMatchObject({ status: 'error', lastError: reason });

      const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(warn.filter((l) => l['msg'] === 'job failed')).toEqual([
        expect.objectContaining({ level: 40, error: reason }),
      ]);
      // Debug details say where it failed, still without the statement or the body.
      expect(warn.some((l) => l['msg'] === 'job failure details')).toBe(true);
      for (const line of lines) {
        expect(line).not.toContain(BODY_MARK);
        expect(line).not.toMatch(/insert into/i);
      }
    } finally {
      await worker.close();
      await events.close();
      await services.close();
    }
  });
});
