import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import type { ApiHarness } from './api-harness.ts';
import { waitFor } from './wait-for.ts';

/** What the sending tests share: a send over the API, a stored mailbox, retries while in progress. */

/** `POST /api/v1/messages`, with an Idempotency-Key when given. */
export function sendOverApi(
  api: ApiHarness,
  body: Record<string, unknown>,
  key?: string,
): Promise<LightMyRequestResponse> {
  return api.call('POST', '/api/v1/messages', {
    body,
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });
}

/** A mailbox of `workspaceId` holding a refresh token an emulator issued, sealed for `api`. */
export function storeMailbox(
  orm: Orm,
  api: ApiHarness,
  mailbox: {
    workspaceId: string;
    provider: 'google' | 'microsoft';
    email: string;
    refreshToken: string;
  },
): Promise<string> {
  return connectMailbox(orm.em.fork(), new SecretBox(api.config.encryptionKey ?? ''), {
    ...mailbox,
    aliases: [],
    autoCreatePolicy: undefined,
  });
}

/**
 * Retries a send with its Idempotency-Key while Mailroom answers 409 `SEND_IN_PROGRESS` (the
 * first attempt's outcome not yet askable of the provider), as a client following the API's
 * advice would; the answer that ends it.
 */
export async function retryWhileInProgress(
  send: () => Promise<LightMyRequestResponse>,
): Promise<LightMyRequestResponse> {
  let last = await send();
  await waitFor(async () => {
    if (last.statusCode !== 409) {
      return true;
    }
    expect(last.json()).toMatchObject({ error: { code: 'SEND_IN_PROGRESS' } });
    last = await send();
    return false;
  }, 'the retried send to settle');
  return last;
}
