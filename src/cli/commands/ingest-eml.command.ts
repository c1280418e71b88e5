import type { Command } from 'commander';
import pLimit from 'p-limit';
import { collectEmlFiles, emlSource, type FileReport } from '../../ingest/eml-sources.ts';
import { runIngestPipeline, type RawSource } from '../../ingest/ingest-pipeline.ts';
import { loadIngestTarget } from '../../ingest/load-ingest-target.ts';
import { createParsePool } from '../../mail/create-parse-pool.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { startProgress } from '../progress.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

/** Files hashed and checked at once while the sources are listed (each is streamed, not held). */
const INSPECT_CONCURRENCY = 4;

export function registerIngestEml(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--mailbox <id>', 'mailbox id')
    .argument('<paths...>', '.eml files or folders')
    .action(async (paths: string[], opts: { workspace: string; mailbox: string }) => {
      const workspaceId = parseFlag('workspace', uuidSchema, opts.workspace);
      const mailboxId = parseFlag('mailbox', uuidSchema, opts.mailbox);
      const { files, ignored, failed } = await collectEmlFiles(paths);
      const result = await withContext(async ({ em, config, log }) => {
        const target = await loadIngestTarget(em, workspaceId, mailboxId);
        const limit = pLimit(INSPECT_CONCURRENCY);
        const opened = await Promise.all(files.map((f) => limit(() => emlSource(f))));
        const sources: RawSource[] = [];
        for (const source of opened) {
          if ('load' in source) {
            sources.push(source);
          } else {
            failed.push(source satisfies FileReport);
          }
        }
        const pool = createParsePool(config);
        const progress = startProgress('ingest');
        progress.update(0, sources.length);
        try {
          const out = await runIngestPipeline(em, pool, target, sources, {
            // Only the messages in flight are in memory: a few per parser thread, not the folder.
            parseAhead: Math.max(8, config.parser.workers * 4),
            onProgress: (done) => {
              progress.update(done, sources.length);
            },
          });
          log.info({ counters: out.counters, files: files.length }, 'ingest finished');
          return out;
        } finally {
          progress.stop();
          await pool.close();
        }
      });
      const stored = result.outcomes.filter((o) => o.status === 'stored');
      printResult({
        ingested: stored.filter((o) => o.crmSkipReason === null).length,
        skipped: stored.filter((o) => o.crmSkipReason !== null).length,
        // Files that are not email or cannot be read fail like those the parser refuses;
        // `ignored` lists what a folder walk passed over, with the reason.
        failed: [
          ...failed,
          ...result.outcomes.flatMap((o) =>
            o.status === 'failed' ? [{ file: o.key, reason: o.reason }] : [],
          ),
        ].sort((a, b) => a.file.localeCompare(b.file)),
        ignored,
      });
    });
}
