import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { markDisconnected } from '../../src/db/repositories/mailbox-lifecycle.repository.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { createWorkspace, openTestOrm } from '../helpers/test-orm.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close(true);
});

const box = new SecretBox(randomBytes(32).toString('base64'));
const connect = (workspaceId: string, refreshToken: string) =>
  connectMailbox(orm.em.fork(), box, {
    workspaceId,
    provider: 'microsoft',
    email: 'rep@connect.example',
    refreshToken,
    aliases: [],
    autoCreatePolicy: undefined,
  });

async function events(mailboxId: string) {
  return orm.em
    .fork()
    .execute<{ type: string; dedupe_key: string; payload: Record<string, unknown> }[]>(
      'select type, dedupe_key, payload from outbox_event where aggregate_id = ? order by id',
      [mailboxId],
    );
}

it('mailbox.connected is written once per connection, paired with its disconnection', async () => {
  const ws = await createWorkspace(orm);
  const mb = await connect(ws, 'token-1');
  const payload = { mailboxId: mb, email: 'rep@connect.example', provider: 'microsoft' };
  expect((await events(mb)).map((e) => [e.type, e.payload])).toEqual([
    ['mailbox.connected', payload],
  ]);

  await markDisconnected(orm.em.fork(), mb);
  // A re-connect (same mailbox id) is a new connection: announced again.
  expect(await connect(ws, 'token-2')).toBe(mb);
  const all = await events(mb);
  expect(all.map((e) => e.type)).toEqual([
    'mailbox.connected',
    'mailbox.disconnected',
    'mailbox.connected',
  ]);
  // The disconnection names the credential version the first connection announced.
  const version = (key: string | undefined) => key?.split(':').at(-1);
  expect(version(all[1]?.dedupe_key)).toBe(version(all[0]?.dedupe_key));
  expect(version(all[2]?.dedupe_key)).not.toBe(version(all[0]?.dedupe_key));
});
