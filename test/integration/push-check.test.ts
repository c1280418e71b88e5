import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkPushJob } from '../../jobs/check-push.job.ts';
import { mailboxPushJob } from '../../jobs/mailbox-push.job.ts';
import type { Orm } from '../../src/db/orm.ts';
import { savePushChannel } from '../../src/db/repositories/push-channel.repository.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { createMailbox, createWorkspace, openTestOrm } from '../helpers/test-orm.ts';

/**
 * Issue 15: the push check's tick queues the push job of every mailbox that can sync and lacks a
 * channel or has one due, and of no other (live channels, disconnected mailboxes, push off).
 */
let orm: Orm;
let api: ApiHarness;
const HOUR = 3600_000;

beforeAll(async () => {
  orm = await openTestOrm();
  api = await startApi(orm, {
    MAILROOM_PUSH: 'on',
    GOOGLE_PUBSUB_TOPIC: 'projects/mailroom-test/topics/gmail',
  });
});

afterAll(async () => {
  await api.close();
  await orm.close(true);
});

async function gmailMailbox(renewIn: number | null): Promise<string> {
  const id = await createMailbox(orm, await createWorkspace(orm), `${randomUUID()}@northwind.com`);
  if (renewIn !== null) {
    await savePushChannel(orm.em.fork(), {
      mailboxId: id,
      resource: 'mail',
      externalId: null,
      clientStateHash: null,
      expiresAt: new Date(Date.now() + 7 * 24 * HOUR),
      renewAt: new Date(Date.now() + renewIn),
    });
  }
  return id;
}

it('queues the push job of mailboxes without a channel or with one due, and only those', async () => {
  const unwatched = await gmailMailbox(null);
  const due = await gmailMailbox(-60_000);
  const live = await gmailMailbox(HOUR);
  const gone = await gmailMailbox(null);
  await orm.em.fork().execute(`update mailbox set status = 'disconnected' where id = ?`, [gone]);

  const ctx = api.services.jobContext();
  const never = new AbortController().signal;
  const result = await checkPushJob.handle({} as never, {}, ctx, {
    progress: () => undefined,
    signal: never,
    stop: never,
  });
  expect(result.queued).toBeGreaterThanOrEqual(2);
  const queued = async (mailboxId: string) =>
    Boolean(
      await api.services
        .syncQueue()
        .getDeduplicationJobId(mailboxPushJob.deduplicationId({ mailboxId })),
    );
  expect(await queued(unwatched)).toBe(true);
  expect(await queued(due)).toBe(true);
  expect(await queued(live)).toBe(false);
  expect(await queued(gone)).toBe(false);
});
