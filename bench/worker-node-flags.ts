import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * The V8 flags `npm run worker` starts a worker with (package.json `config.workerNodeFlags`, the one
 * place they are written; docker-compose.yml repeats them, and a test holds the two together).
 * Benchmarks that run the worker's pipeline run under the same flags, so their `peakRssMb` is a
 * worker's.
 */
export function workerNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    config?: { workerNodeFlags?: string };
  };
  return (pkg.config?.workerNodeFlags ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Runs this command again under the worker's flags unless it already runs under them (V8 reads
 * its heap flags at start), and exits with that run's status.
 */
export function reexecWithWorkerFlags(): void {
  const flags = workerNodeFlags();
  if (flags.every((f) => process.execArgv.includes(f))) {
    return;
  }
  const child = spawnSync(process.execPath, [...flags, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}
