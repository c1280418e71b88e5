import type { Logger } from './logger.ts';

/**
 * Runs `close` once on the first SIGTERM or SIGINT (a second signal while closing is ignored, so
 * in-flight work can finish: jobs keep their checkpoints in PostgreSQL either way).
 */
export function onShutdown(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
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
