import { describe, expect } from 'vitest';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { ingestRaw } from '../helpers/ingest.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

const OWNER = 'dana@northwind.com';
const BODY_CHARS = 1_000;

describe('the pipeline bounds the bodies it holds, not only their number', () => {
  it('writes in smaller batches under a small budget, and still stores every message', async ({
    orm,
    pool,
  }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const mb = await createMailbox(orm, ws, OWNER);
    const mails = Array.from({ length: 30 }, (_, i) =>
      buildEml({
        from: `Sender ${i} <s${i}@alpha.com>`,
        to: [OWNER],
        messageId: `<budget-${i}@x>`,
        body: `${String(i).padStart(4, '0')}${'x'.repeat(BODY_CHARS - 4)}`,
      }),
    );
    const written: number[] = [];
    let done = 0;
    const result = await ingestRaw(orm, pool, ws, mb, mails, {
      batchSize: 200,
      parseAhead: 10,
      // Room for two and a half bodies: a batch is written once it holds half of that.
      heldChars: 2.5 * (BODY_CHARS + 2),
      onProgress: (now) => {
        written.push(now - done);
        done = now;
      },
    });
    expect(result.counters.emailsStored).toBe(30);
    expect(result.outcomes.filter((o) => o.status === 'stored')).toHaveLength(30);
    // Without the budget these 30 would be one batch of 30 (batchSize 200).
    expect(Math.max(...written)).toBeLessThanOrEqual(2);
  });
});
