import { randomBytes } from 'node:crypto';
import type { Config } from '../src/config.ts';
import { connectMailbox } from '../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../src/security/secret-box.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { initORM } from '../src/db/orm.ts';
import { runIngestPipeline } from '../src/ingest/ingest-pipeline.ts';
import { loadIngestTarget } from '../src/ingest/load-ingest-target.ts';
import { createParsePool } from '../src/mail/create-parse-pool.ts';
import { withBenchDatabase } from './bench-database.ts';
import { writeCorpusFile, type CorpusFile } from './corpus-file.ts';
import { parseOnlySeconds, peakRssMb, round } from './parse-baseline.ts';

/**
 * `ingest`: N generated messages through the full pipeline (isolated parsing, classification,
 * batched writes to PostgreSQL), against bare mailparser parsing of the same messages in one
 * thread with the same options. efficiency = pipeline rate / parse-only rate. The messages are
 * generated into a file first and read back one at a time (corpus-file.ts), as the pipeline asks
 * for them: `peakRssMb` is the pipeline's, not the corpus's.
 */
const OWNER = 'rep@northwindtraders.com';

export async function benchIngest(config: Config, count: number): Promise<Record<string, unknown>> {
  const corpus = await writeCorpusFile({
    count,
    seed: 42,
    ownerEmail: OWNER,
    internalDomain: 'northwindtraders.com',
  });
  try {
    return await benchCorpus(config, count, corpus);
  } finally {
    await corpus.remove();
  }
}

async function benchCorpus(
  config: Config,
  count: number,
  corpus: CorpusFile,
): Promise<Record<string, unknown>> {
  const parseSeconds = await parseOnlySeconds(corpus.raws());

  const seconds = await withBenchDatabase(config.db.url, async (url) => {
    const orm = await initORM(url);
    const pool = createParsePool(config);
    try {
      const em = orm.em.fork();
      const workspaceId = await createWorkspace(em, {
        name: 'bench',
        internalDomains: ['northwindtraders.com'],
      });
      const mailboxId = await connectMailbox(
        em,
        new SecretBox(randomBytes(32).toString('base64')),
        {
          workspaceId,
          provider: 'google',
          email: OWNER,
          refreshToken: 'bench',
          aliases: [],
          autoCreatePolicy: undefined,
        },
      );
      const target = await loadIngestTarget(em, workspaceId, mailboxId);
      const sources = corpus.entries.map((m) => ({
        key: m.providerMessageId,
        providerMessageId: m.providerMessageId,
        providerThreadId: null,
        labels: [],
        load: () => corpus.read(m),
      }));
      const start = performance.now();
      const result = await runIngestPipeline(em, pool, target, sources);
      const elapsed = (performance.now() - start) / 1000;
      const failed = result.outcomes.filter((o) => o.status === 'failed').length;
      if (failed > 0 || result.counters.emailsStored !== count) {
        throw new Error(
          `pipeline stored ${result.counters.emailsStored}/${count}, ${failed} failed`,
        );
      }
      return elapsed;
    } finally {
      await pool.close();
      await orm.close(true);
    }
  });

  const messagesPerSecond = count / seconds;
  const parseOnlyMessagesPerSecond = count / parseSeconds;
  return {
    scenario: 'ingest',
    messages: count,
    seconds: round(seconds),
    messagesPerSecond: round(messagesPerSecond),
    parseOnlyMessagesPerSecond: round(parseOnlyMessagesPerSecond),
    efficiency: round(messagesPerSecond / parseOnlyMessagesPerSecond),
    peakRssMb: peakRssMb(),
  };
}
