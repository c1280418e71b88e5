import { randomBytes, randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm.ts';
import { insertTrackingTokens } from '../../src/db/repositories/tracking.repository.ts';
import type { ParsePool } from '../../src/mail/parse-pool.ts';
import { createTrackingSigner, type TrackingSigner } from '../../src/tracking/tracking-token.ts';
import { startApi, type ApiHarness } from './api-harness.ts';
import { buildEml } from './build-eml.ts';
import { ingestRaw, testPool } from './ingest.ts';
import { createMailbox, openTestOrm } from './test-orm.ts';

/** What the tracking tests share: a browser's user agent, a stored sent message, stored tokens. */
export const HUMAN_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** One outbound message from `from` to `to` (sent weeks ago, so no hit is too soon); its email id. */
export async function storeSentMessage(
  deps: { orm: Orm; pool: ParsePool },
  workspaceId: string,
  mailboxId: string,
  people: { from: string; to: string },
): Promise<string> {
  const messageId = `<${randomUUID()}@mine.example>`;
  await ingestRaw(deps.orm, deps.pool, workspaceId, mailboxId, [
    buildEml({
      from: `Rep <${people.from}>`,
      to: [`Ada Lovelace <${people.to}>`],
      subject: 'Our pricing',
      messageId,
      date: 'Tue, 06 Oct 2026 10:00:00 +0000',
    }),
  ]);
  const rows = await deps.orm.em
    .fork()
    .execute<{ id: string }[]>('select id from email where internet_message_id = ?', [messageId]);
  const id = rows[0]?.id;
  if (id === undefined) {
    throw new Error('message not ingested');
  }
  return id;
}

/** Mints a token for `emailId`, attributed to `recipient`, and stores it; the token and its id. */
export async function storeToken(
  deps: { orm: Orm; signer: TrackingSigner },
  workspaceId: string,
  emailId: string,
  token: { kind: 'open' | 'click'; url: string | null; recipient: string },
): Promise<{ token: string; tokenId: string }> {
  const minted = deps.signer.mint(token.kind);
  const verified = deps.signer.verify(minted);
  if (!verified) {
    throw new Error('minted token does not verify');
  }
  await insertTrackingTokens(deps.orm.em.fork(), workspaceId, emailId, [
    {
      tokenId: verified.tokenId,
      kind: token.kind,
      url: token.url,
      recipient: token.recipient,
      attribution: 'single',
    },
  ]);
  return { token: minted, tokenId: verified.tokenId };
}

/** The API with tracking on (one signing key), a rep's mailbox, and what the tests mint with. */
export interface TrackingApi {
  orm: Orm;
  pool: ParsePool;
  api: ApiHarness;
  signer: TrackingSigner;
  mailboxId: string;
}

export async function startTrackingApi(opts: {
  keyId: number;
  rep: string;
  env?: Record<string, string>;
}): Promise<TrackingApi> {
  const key = randomBytes(32);
  const orm = await openTestOrm();
  const pool = testPool();
  const api = await startApi(orm, {
    MAILROOM_TRACKING_KEYS: `${String(opts.keyId)}:${key.toString('base64')}`,
    PUBLIC_URL: 'https://track.example',
    ...opts.env,
  });
  return {
    orm,
    pool,
    api,
    signer: createTrackingSigner({ current: { id: opts.keyId, key } }),
    mailboxId: await createMailbox(orm, api.workspaceId, opts.rep),
  };
}

export async function stopTrackingApi(t: Pick<TrackingApi, 'orm' | 'pool' | 'api'>): Promise<void> {
  await t.api.close();
  await t.pool.close();
  await t.orm.close(true);
}
