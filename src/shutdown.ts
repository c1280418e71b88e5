import type { Logger } from './logger.ts';

/** How often a process checks that the parent that started it is still there. */
const ORPHAN_CHECK_MS = 1_000;

/**
 * Runs `close` once on the first SIGTERM or SIGINT (a second signal while closing is ignored, so
 * in-flight work can finish: jobs keep their checkpoints in PostgreSQL either way), or when the
 * process that started this one has gone. If `close` has not finished after `graceMs` the process
 * exits anyway: a BullMQ worker waits for Redis without bound, so with Redis down a SIGTERM
 * used to leave it running until the supervisor's SIGKILL. The worker's `close` hands running sync
 * jobs back at their next checkpoint (create-worker.ts), so it is normally done well before the
 * deadline; a job cut short by the deadline is taken up again by another worker once its lock
 * expires, and resumes from its checkpoint.
 *
 * The second trigger is for wrappers that do not pass signals on. `npm start` runs its script
 * through `sh -c`; npm forwards SIGTERM to that shell, and dash (Debian's `sh`) dies without
 * passing it to node, which then ran on with ppid 1. The scripts now `exec` node, so the signal
 * reaches it; a wrapper killed outright (SIGKILL, an OOM kill) forwards nothing, so a re-parented
 * process shuts itself down too. Linux's PR_SET_PDEATHSIG is not reachable from Node, hence the
 * cheap poll of `process.ppid`. A process started by init, a container runtime or a supervisor
 * keeps its parent for life, and never trips it.
 */
export function onShutdown(log: Logger, close: () => Promise<void>, graceMs = 25_000): void {
  let stopping = false;
  const parent = process.ppid;
  const watchdog = setInterval(() => {
    if (process.ppid !== parent) {
      stop('parent exited');
    }
  }, ORPHAN_CHECK_MS);
  // The check never keeps the process alive by itself.
  watchdog.unref();
  const stop = (reason: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    clearInterval(watchdog);
    log.info({ signal: reason, graceMs }, 'shutting down');
    const deadline = setTimeout(() => {
      log.warn({ graceMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, graceMs);
    // The deadline only matters while something else keeps the process alive.
    deadline.unref();
    close().then(
      () => {
        log.info('stopped');
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.once('SIGINT', () => {
    stop('SIGINT');
  });
}
