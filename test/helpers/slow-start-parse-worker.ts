/**
 * The misbehaving parser worker, but slow to start: it waits SLOW_START_MS before loading its
 * modules and listening, as a worker on a busy machine may. Messages posted meanwhile wait in the
 * worker's port. Tests give the pool a timeout well below SLOW_START_MS.
 */
const SLOW_START_MS = 3_000;

await new Promise((resolve) => setTimeout(resolve, SLOW_START_MS));
await import('./misbehaving-parse-worker.ts');
