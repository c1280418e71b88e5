import type { EntityManager } from '@mikro-orm/postgresql';
import {
  clearPurgeRequest,
  pendingPurges,
  requestPurge,
} from '../db/repositories/mailbox-lifecycle.repository.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { purgeDisconnectedMailbox, SyncStillRunningError } from './disconnect-mailbox.ts';
import type { MailboxJobQueue } from './mailbox-job-queue.ts';

export interface PurgeRunnerDeps {
  /** A fresh EntityManager per attempt (a fork: nothing cached across attempts). */
  em: () => EntityManager;
  jobs: MailboxJobQueue;
  log: Logger;
  /** How long to wait before trying again while a sync job of the mailbox still runs. */
  retryMs?: number;
  batchSize?: number;
}

/**
 * The API's background purge (`DELETE /mailboxes/{id}?purge=true`): the request answers once the
 * mailbox is disconnected, and the purge (`purgeDisconnectedMailbox`, the same code as
 * `mailbox:disconnect --purge`) runs here. The request is stored on the mailbox first
 * (`purge_requested_at`) and cleared by the purge's last step, so a process stopped half-way
 * leaves it for `resume()` at the next start; the purge itself is idempotent. While a sync job of
 * the mailbox is still running, the purge waits for it (tries again every `retryMs`) instead of
 * failing. One run per mailbox per process; two API processes resuming the same purge only
 * delete the same rows twice over (each batch is its own transaction).
 */
export class PurgeRunner {
  private readonly deps: PurgeRunnerDeps;
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(deps: PurgeRunnerDeps) {
    this.deps = deps;
  }

  /** Records the purge of a disconnected mailbox and starts it in the background. */
  async request(mailboxId: string): Promise<void> {
    if (!(await requestPurge(this.deps.em(), mailboxId))) {
      throw new NotFoundError(`mailbox ${mailboxId} not found`);
    }
    this.start(mailboxId);
  }

  /** Starts every purge a previous process left unfinished. */
  async resume(): Promise<void> {
    for (const id of await pendingPurges(this.deps.em())) {
      this.start(id);
    }
  }

  /** Resolves when every purge started so far has ended (done, given up or stopped). */
  async idle(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.allSettled([...this.running.values()]);
    }
  }

  /** Stops waiting for running jobs; a batch under way finishes. What is left stays requested. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private start(mailboxId: string): void {
    if (this.running.has(mailboxId) || this.stopping.signal.aborted) {
      return;
    }
    const run = this.run(mailboxId).finally(() => {
      this.running.delete(mailboxId);
    });
    this.running.set(mailboxId, run);
  }

  private async run(mailboxId: string): Promise<void> {
    const { log } = this.deps;
    let waiting = false;
    while (!this.stopping.signal.aborted) {
      try {
        const summary = await purgeDisconnectedMailbox(
          {
            em: this.deps.em(),
            jobs: this.deps.jobs,
            ...(this.deps.batchSize === undefined ? {} : { batchSize: this.deps.batchSize }),
          },
          mailboxId,
        );
        log.info({ mailboxId, ...summary }, 'mailbox purged');
        return;
      } catch (err) {
        if (err instanceof SyncStillRunningError) {
          if (!waiting) {
            waiting = true;
            log.info({ mailboxId }, 'purge waits for the mailbox sync job still running');
          }
          await sleep(this.deps.retryMs ?? 2_000, this.stopping.signal);
          continue;
        }
        if (err instanceof MailroomError && err.code === 'CONFLICT') {
          // Reconnected before the purge could run: its data is live again.
          await clearPurgeRequest(this.deps.em(), mailboxId);
          log.info({ mailboxId, err: err.message }, 'purge dropped');
          return;
        }
        if (err instanceof NotFoundError) {
          return;
        }
        // Left requested: the next start (or another DELETE ?purge=true) continues it.
        log.warn({ mailboxId, err: (err as Error).message }, 'mailbox purge failed');
        return;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
