import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import {
  listAttempts,
  loadDeliveryWork,
  recordAttempts,
  type AttemptRecord,
} from '../../src/db/repositories/webhook-attempt.repository.ts';
import {
  addDeliveries,
  findDelivery,
} from '../../src/db/repositories/webhook-delivery.repository.ts';
import { findWebhook, insertWebhook } from '../../src/db/repositories/webhook.repository.ts';
import { createWorkspace, openTestOrm } from '../helpers/test-orm.ts';

/**
 * The delivery worker's batched reads and writes (many attempts per statement): each delivery gets
 * its own outcome, and each webhook one last error, the 410 before any other, else the latest.
 */
let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close(true);
});

const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));

function record(
  webhookId: string,
  eventId: string,
  second: number,
  responseStatus: number | null,
  status: AttemptRecord['status'],
  disableReason: string | null = null,
): AttemptRecord {
  const ok = responseStatus !== null && responseStatus < 300;
  return {
    webhookId,
    eventId,
    attempt: {
      at: at(second),
      responseStatus,
      durationMs: 5,
      error: ok
        ? null
        : responseStatus === null
          ? 'ECONNREFUSED'
          : `HTTP ${String(responseStatus)}`,
      responseBody: null,
    },
    status,
    disableReason,
  };
}

it('settles each delivery of a batch and gives each webhook one last error', async () => {
  const em = orm.em.fork();
  const workspaceId = await createWorkspace(orm);
  const hook = (url: string) =>
    insertWebhook(em, { workspaceId, url, eventTypes: null, sealedSecret: 'v1.x.y.z.w' });
  const gone = await hook('https://gone.example/hook');
  const flaky = await hook('https://flaky.example/hook');
  const events = ['a', 'b', 'c'].map((n) => ({
    id: `evt_batch_${workspaceId}_${n}`,
    type: 'person.created',
    workspaceId,
    envelope: { id: n, occurredAt: at(0).toISOString() },
  }));
  expect(await addDeliveries(em, events)).toHaveLength(6);
  const [a, b, c] = events.map((e) => e.id) as [string, string, string];

  await recordAttempts(em, [
    record(gone, a, 3, 500, 'retrying'),
    record(gone, b, 1, 410, 'failed', '410 Gone from https://gone.example/hook'),
    record(gone, c, 2, 200, 'delivered'),
    record(flaky, a, 1, 500, 'retrying'),
    record(flaky, b, 4, 503, 'retrying'),
    record(flaky, c, 2, 200, 'delivered'),
  ]);

  const goneHook = await findWebhook(em, gone);
  expect(goneHook).toMatchObject({
    enabled: false,
    disabledReason: '410 Gone from https://gone.example/hook',
    lastError: '410 Gone from https://gone.example/hook',
  });
  const flakyHook = await findWebhook(em, flaky);
  expect(flakyHook).toMatchObject({ enabled: true, disabledReason: null, lastError: 'HTTP 503' });

  expect(await findDelivery(em, gone, b)).toMatchObject({
    status: 'failed',
    attempts: 1,
    responseStatus: 410,
  });
  expect(await findDelivery(em, flaky, c)).toMatchObject({
    status: 'delivered',
    attempts: 1,
    error: null,
  });
  expect(await listAttempts(em, flaky, b)).toEqual([
    { at: at(4), responseStatus: 503, durationMs: 5, error: 'HTTP 503', responseBody: null },
  ]);

  // Reads come back in the keys' order, null where there is no such delivery.
  const work = await loadDeliveryWork(em, [
    { webhookId: flaky, eventId: b },
    { webhookId: flaky, eventId: 'evt_missing' },
    { webhookId: gone, eventId: c },
  ]);
  expect(work.map((w) => w && { status: w.status, attempts: w.attempts, url: w.url })).toEqual([
    { status: 'retrying', attempts: 1, url: 'https://flaky.example/hook' },
    null,
    { status: 'delivered', attempts: 1, url: 'https://gone.example/hook' },
  ]);
  expect(work[2]?.enabled).toBe(false);
});
