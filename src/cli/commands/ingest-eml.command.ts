import type { Command } from 'commander';
import { collectEmlFiles, emlSource } from '../../ingest/eml-sources.ts';
import { runIngestPipeline, type RawSource } from '../../ingest/ingest-pipeline.ts';
import { loadIngestTarget } from '../../ingest/load-ingest-target.ts';
import { createParsePool } from '../../mail/create-parse-pool.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

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
        const sources: RawSource[] = [];
        for (const opened of await Promise.all(files.map((f) => emlSource(f)))) {
          if ('load' in opened) {
            sources.push(opened);
          } else {
            failed.push(opened);
          }
        }
        const pool = createParsePool(config);
        try {
          const out = await runIngestPipeline(em, pool, target, sources);
          log.info({ counters: out.counters, files: files.length }, 'ingest finished');
          return out;
        } finally {
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
