import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

/** The repository root: where `npm start` and `node src/main.ts` are run from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A TCP port nobody listens on right now (the OS picks it; we close it at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('no port'));
        }
      });
    });
  });
}

/** A child process whose stdout and stderr are kept line by line, with waits on those lines. */
export interface Watched {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stderr line (past or future) matching; rejects after `boundMs`. */
  waitForStderr(match: (line: string) => boolean, boundMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
}

export function spawnWatched(command: string, args: string[], options: SpawnOptions): Watched {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const collect = (into: string[], notify: boolean) => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        into.push(line);
        if (notify) {
          for (const waiter of waiters) {
            waiter(line);
          }
        }
      }
    };
  };
  child.stdout.on('data', collect(stdout, false));
  child.stderr.on('data', collect(stderr, true));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const waitForStderr = (match: (line: string) => boolean, boundMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const seen = stderr.find(match);
      if (seen !== undefined) {
        resolve(seen);
        return;
      }
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(`no matching line within ${String(boundMs)} ms; stderr:\n${stderr.join('\n')}`),
        );
      }, boundMs);
      const waiter = (line: string) => {
        if (match(line)) {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        }
      };
      waiters.add(waiter);
      void exited.then(() => {
        if (waiters.has(waiter)) {
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(new Error(`process exited first; stderr:\n${stderr.join('\n')}`));
        }
      });
    });
  return { child, stdout, stderr, waitForStderr, exited };
}

/** Every live process whose ancestry leads to `pid` (read from /proc, Linux only). */
export async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the ppid; the command name (field 2) may hold spaces, so split after its ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until none of `pids` is alive, or `boundMs` passes; returns those still alive. */
export async function waitUntilGone(pids: number[], boundMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + boundMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** A private redis-server on `port`, without persistence, that a test may stop and restart. */
export async function startRedis(port: number, extraArgs: string[] = []): Promise<Watched> {
  const redis = spawnWatched(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      ...extraArgs,
    ],
    {},
  );
  // redis-server logs to stdout; wait for it to accept connections.
  const deadline = Date.now() + 30_000;
  while (!redis.stdout.some((l) => l.includes('Ready to accept connections'))) {
    if (Date.now() > deadline || redis.child.exitCode !== null) {
      throw new Error(`redis-server did not start: ${redis.stdout.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return redis;
}

export async function stop(watched: Watched, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (watched.child.exitCode === null && watched.child.signalCode === null) {
    watched.child.kill(signal);
  }
  await watched.exited;
}

/**
 * A migrated database of its own, for a test that runs a worker process: the worker's poll
 * queues every mailbox of its database, and must not touch the mailboxes of other tests.
 */
export async function freshDatabase(sharedUrl: string): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const { migrate } = await import('../../src/db/migrate.ts');
  const { dropDatabase } = await import('../../src/db/create-database.ts');
  const url = new URL(sharedUrl);
  url.pathname = `${url.pathname}_w${String(process.pid)}_${String(Date.now())}`;
  await migrate(url.toString());
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) };
}

/** A private PostgreSQL cluster that a test may crash and start again (never the shared one). */
export interface PrivatePostgres {
  port: number;
  /** A URL naming `database` on this cluster (`migrate` creates it). */
  url(database: string): string;
  /** Stops the server without a shutdown checkpoint (`pg_ctl stop -m immediate`): a crash. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data; it recovers from its WAL. */
  start(): Promise<void>;
  /** Stops it (if it runs) and removes its directory; safe to call more than once. */
  remove(): Promise<void>;
}

const PG_BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

/**
 * initdb, then a server on a free port with its socket in its own directory. PostgreSQL refuses
 * to run as root, so as root (the CI container) its commands run as the `postgres` user, who gets
 * the directory. `fsync=off`: a crash of the server process still keeps every committed write (the
 * OS has it); only a machine crash would not, and this cluster is thrown away. If anything fails
 * half-way, what was made is removed before the error goes up.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const pg = (bin: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args])
      : run(join(PG_BIN, bin), args);
  const port = await freePort();
  const options = `-p ${String(port)} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    running = true;
  };
  const stopWith = async (mode: 'immediate' | 'fast') => {
    if (running) {
      running = false;
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    }
  };
  const remove = async () => {
    try {
      await stopWith('immediate');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    if (asRoot) {
      await run('chown', ['postgres:postgres', dir]);
    }
    await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-N']);
    await start();
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${String(port)}/${database}`,
    crash: () => stopWith('immediate'),
    start,
    remove,
  };
}
