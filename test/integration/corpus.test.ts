import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { exportWorkspace } from '../../src/export/export-workspace.ts';
import { it } from '../helpers/fixtures.ts';
import { ingestRaw } from '../helpers/ingest.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

/**
 * Every real-world message in fixtures/corpora/emails (≈385 files nobody here wrote) goes through
 * the whole pipeline: none may take the test process down, each is stored or failed with a reason,
 * and a second pass changes nothing.
 */
const CORPUS = fileURLToPath(new URL('../../fixtures/corpora/emails/', import.meta.url));

describe('shared corpus', () => {
  it('ingests every corpus email, or fails it with a reason, idempotently', async ({
    orm,
    pool,
  }) => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml')).sort();
    expect(files.length).toBeGreaterThan(350);
    const raws = await Promise.all(files.map((f) => readFile(`${CORPUS}${f}`)));
    const ws = await createWorkspace(orm, { domains: ['example.org'] });
    const mb = await createMailbox(orm, ws, 'owner@example.org');

    const first = await ingestRaw(orm, pool, ws, mb, raws, { batchSize: 50 });
    expect(first.outcomes).toHaveLength(files.length);
    for (const outcome of first.outcomes) {
      if (outcome.status === 'failed') {
        expect(outcome.reason).toMatch(/\S/);
      }
    }
    const stored = first.outcomes.filter((o) => o.status === 'stored');
    // Distinct bytes are distinct messages; identical files collapse to one row.
    const distinct = new Set(raws.map((r) => r.toString('base64'))).size;
    expect(first.counters.emailsStored + first.counters.emailsAlreadyStored).toBe(stored.length);
    expect(first.counters.emailsStored).toBeLessThanOrEqual(distinct);
    expect(first.counters.peopleCreated).toBeGreaterThan(50);
    expect(Object.keys(first.counters.messagesSkipped)).toEqual(
      expect.arrayContaining(['bulk', 'delivery_status', 'auto_reply']),
    );

    // Invitations, replies, counters and cancellations from many clients, read with ical.js: every
    // readable text/calendar part gives its METHOD and UID (a few corpus parts are empty or cut).
    const invitations = await orm.em.fork().execute<{ ical_method: string | null; n: string }[]>(
      `select ical_method, count(*) as n from email where mailbox_id = ? and ical_uid is not null
          group by ical_method order by ical_method`,
      [mb],
    );
    expect(Object.fromEntries(invitations.map((r) => [r.ical_method, Number(r.n)]))).toEqual({
      CANCEL: 1,
      REPLY: 2,
      REQUEST: 8,
    });

    const before = await exportWorkspace(orm.em.fork(), ws);
    const second = await ingestRaw(orm, pool, ws, mb, raws, { batchSize: 50 });
    expect(second.counters.emailsStored).toBe(0);
    expect(second.outcomes.map((o) => o.status)).toEqual(first.outcomes.map((o) => o.status));
    expect(await exportWorkspace(orm.em.fork(), ws)).toEqual(before);
  });
});
