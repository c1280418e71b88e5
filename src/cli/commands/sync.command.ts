import type { Command } from 'commander';
import type { Orm } from '../../db/orm.ts';
import { mailboxStatus } from '../../mailboxes/mailbox-status.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { startProgress, type Progress } from '../progress.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

/** How often the backfill progress is read while a sync runs (only on a terminal). */
const POLL_MS = 1_000;

export function registerSync(cmd: Command): void {
  cmd.requiredOption('--mailbox <id>', 'mailbox id').action(async (opts: { mailbox: string }) => {
    const mailboxId = parseFlag('mailbox', uuidSchema, opts.mailbox);
    const { runSyncNow } = await import('../../app/run-sync-now.ts');
    const result = await withContext(async ({ orm, config, log }) => {
      const progress = startProgress('sync');
      const stopWatching = progress.active ? watchBackfill(orm, mailboxId, progress) : null;
      try {
        return await runSyncNow(config, orm, log, mailboxId);
      } finally {
        await stopWatching?.();
        progress.stop();
      }
    });
    printResult(result);
  });
}

/**
 * Draws the mailbox's backfill done/total (what `mailbox:status` shows) while the sync runs, and
 * once more when it ends. The sync engine is not touched: its checkpoints are the progress.
 */
function watchBackfill(orm: Orm, mailboxId: string, progress: Progress): () => Promise<void> {
  let reading: Promise<void> = Promise.resolve();
  const read = () => {
    reading = reading.then(async () => {
      try {
        const { backfill } = await mailboxStatus(orm.em.fork(), mailboxId);
        progress.update(backfill.done, backfill.total, backfill.etaSeconds);
      } catch {
        // Progress is a courtesy: a failed read leaves the bar as it was.
      }
    });
  };
  read();
  const timer = setInterval(read, POLL_MS);
  return async () => {
    clearInterval(timer);
    read();
    await reading;
  };
}
