import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { waitFor } from './wait-for.ts';

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
