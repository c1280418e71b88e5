import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmulatorStats } from '../emulators/google/gmail-emulator.ts';
import type { QuotaOptions } from '../emulators/google/quota.ts';
import type { FaultSpec } from '../emulators/shared/faults.ts';

/** The mailbox every Gmail benchmark syncs. */
export const BENCH_OWNER = 'rep@northwindtraders.com';

const EMULATOR_PROCESS = fileURLToPath(new URL('./gmail-emulator-process.ts', import.meta.url));

/**
 * A Gmail emulator holding generated messages for the owner, running in a process of its own
 * (gmail-emulator-process.ts): the generated corpus lives there, so the benchmark process, which
 * runs Mailroom, measures Mailroom's memory alone. Everything is asked over HTTP.
 */
export interface BenchGmail {
  url: string;
  /** A refresh token for the owner's grant. */
  refreshToken: string;
  stats(): Promise<EmulatorStats>;
  resetStats(): Promise<void>;
  addFault(fault: FaultSpec): Promise<void>;
  /** Faults served so far. */
  faultsFired(): Promise<number>;
  /** Bare mailparser over every message the emulator holds, timed in its process. */
  parseOnlySeconds(): Promise<number>;
  /** The emulator process's peak RSS so far, in MB. */
  peakRssMb(): Promise<number>;
  close(): Promise<void>;
}

/** A listening Gmail emulator process holding `messages` generated messages (from `seed`). */
export async function startBenchGmail(opts: {
  messages: number;
  seed: number;
  quota?: QuotaOptions | null;
}): Promise<BenchGmail> {
  const child = spawn(
    process.execPath,
    [
      EMULATOR_PROCESS,
      `--messages=${String(opts.messages)}`,
      `--seed=${String(opts.seed)}`,
      ...(opts.quota
        ? [`--quota=${opts.quota.regime}`, `--quota-scale=${String(opts.quota.scale)}`]
        : []),
    ],
    // stdin is the child's lifeline: it ends when this process does, however it ends.
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<{ url: string; refreshToken: string }>((resolve, reject) => {
    lines.once('line', (line) => {
      resolve(JSON.parse(line) as { url: string; refreshToken: string });
    });
    child.once('exit', (code) => {
      reject(new Error(`gmail emulator process exited with ${String(code)} before listening`));
    });
  });
  lines.close();
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${ready.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!res.ok) {
      throw new Error(`gmail emulator ${method} ${path}: ${String(res.status)}`);
    }
    return (await res.json()) as T;
  };
  const figures = () =>
    call<{ stats: EmulatorStats; faultsFired: number; peakRssMb: number }>(
      'GET',
      '/__bench/figures',
    );
  return {
    url: ready.url,
    refreshToken: ready.refreshToken,
    stats: async () => (await figures()).stats,
    resetStats: async () => {
      await call('POST', '/__bench/reset-stats');
    },
    addFault: async (fault) => {
      await call('POST', '/__control/faults', { faults: [fault] });
    },
    faultsFired: async () => (await figures()).faultsFired,
    parseOnlySeconds: async () =>
      (await call<{ seconds: number }>('POST', '/__bench/parse-only')).seconds,
    peakRssMb: async () => (await figures()).peakRssMb,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** The settings that point Mailroom at the emulator, with the first sync taking every message. */
export function benchGmailEnv(url: string): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: 'bench',
    GOOGLE_CLIENT_SECRET: 'bench',
    GOOGLE_API_ROOT_URL: `${url}/`,
    GOOGLE_OAUTH_TOKEN_URL: `${url}/token`,
    MAILROOM_BACKFILL_DAYS: '0',
    MAILROOM_BACKFILL_MAX_MESSAGES: '0',
  };
}
