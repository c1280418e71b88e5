import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { localTls } from '../emulators/microsoft/local-tls.ts';
import { spawnSync } from 'node:child_process';
import { reexecWithWorkerFlags } from './worker-node-flags.ts';

/**
 * `npm run --silent bench -- <scenario> [flags]`: prints one JSON line of figures. Each scenario's
 * module is imported when it runs, so the process holds that scenario's code only (a sync
 * scenario's peakRssMb is then a worker's, not a worker's plus the API's).
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    messages: { type: 'string', default: '2000' },
    emails: { type: 'string', default: '200000' },
    requests: { type: 'string', default: '200' },
    events: { type: 'string', default: '2000' },
    endpoints: { type: 'string', default: '1' },
    rate: { type: 'string' },
    quota: { type: 'string' },
    'quota-scale': { type: 'string', default: '1' },
    'throttle-scale': { type: 'string' },
    'fault-rate': { type: 'string', default: '0.3' },
    'retry-after': { type: 'string', default: '10' },
    deadline: { type: 'string', default: '3600' },
    kills: { type: 'string', default: '10' },
    'fetch-delay-ms': { type: 'string', default: '20' },
    hits: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    provider: { type: 'string' },
    mailboxes: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '60' },
    speedup: { type: 'string', default: '10' },
    'push-rate': { type: 'string', default: '10' },
    tick: { type: 'string', default: '5' },
    'sync-concurrency': { type: 'string', default: '16' },
  },
});

/**
 * The Graph emulator's certificate must be trusted from process start (NODE_EXTRA_CA_CERTS is read
 * once): runs this command again with it set, and exits with that run's status.
 */
async function reexecTrustingGraphEmulator(): Promise<void> {
  const { LOCAL_TLS_DIR } = await import('./outlook-backfill.bench.ts');
  const tls = await localTls(LOCAL_TLS_DIR);
  if (process.env['NODE_EXTRA_CA_CERTS'] !== tls.certPath) {
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certPath },
    });
    process.exit(child.status ?? 1);
  }
}

const scenario = positionals[0];
const count = Number(values.messages);
if (!Number.isInteger(count) || count <= 0) {
  process.stderr.write('error: --messages must be a positive integer\n');
  process.exit(1);
}

// Scenarios that run the worker's sync pipeline in this process measure it as a worker runs.
if (['ingest', 'gmail-backfill', 'outlook-backfill', 'calendar-sync'].includes(scenario ?? '')) {
  reexecWithWorkerFlags();
}

try {
  const config = await loadConfig();
  switch (scenario ?? '') {
    case 'ingest':
      process.stdout.write(
        `${JSON.stringify(await (await import('./ingest.bench.ts')).benchIngest(config, count))}\n`,
      );
      break;
    case 'gmail-backfill': {
      const quota = values.quota;
      if (quota !== undefined && quota !== 'old' && quota !== 'new') {
        throw new Error('--quota must be old or new');
      }
      const quotaScale = Number(values['quota-scale']);
      if (!(quotaScale > 0)) {
        throw new Error('--quota-scale must be a positive number');
      }
      const figures = await (
        await import('./gmail-backfill.bench.ts')
      ).benchGmailBackfill(config, {
        messages: count,
        quota: quota ?? null,
        quotaScale,
      });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      break;
    }
    case 'gmail-faults': {
      const faultRate = Number(values['fault-rate']);
      const retryAfterSeconds = Number(values['retry-after']);
      const deadlineSeconds = Number(values.deadline);
      if (!(faultRate >= 0 && faultRate < 1)) {
        throw new Error('--fault-rate must be at least 0 and below 1');
      }
      if (!(retryAfterSeconds >= 0) || !(deadlineSeconds > 0)) {
        throw new Error('--retry-after and --deadline must be positive numbers of seconds');
      }
      const figures = await (
        await import('./gmail-faults.bench.ts')
      ).benchGmailFaults(config, {
        messages: count,
        faultRate,
        retryAfterSeconds,
        deadlineSeconds,
      });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      // A sync cut off by --deadline still has its worker running: stop here.
      process.exit(0);
      break;
    }
    case 'gmail-kills': {
      const kills = Number(values.kills);
      const fetchDelayMs = Number(values['fetch-delay-ms']);
      if (!Number.isInteger(kills) || kills < 1 || !(fetchDelayMs >= 0)) {
        throw new Error('--kills must be a positive integer and --fetch-delay-ms a number');
      }
      const figures = await (
        await import('./gmail-kills.bench.ts')
      ).benchGmailKills(config, { messages: count, kills, fetchDelayMs });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      break;
    }
    case 'outlook-backfill': {
      await reexecTrustingGraphEmulator();
      const scale =
        values['throttle-scale'] === undefined ? null : Number(values['throttle-scale']);
      if (scale !== null && !(scale > 0)) {
        throw new Error('--throttle-scale must be a positive number');
      }
      const figures = await (
        await import('./outlook-backfill.bench.ts')
      ).benchOutlookBackfill(config, { messages: count, throttleScale: scale });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      break;
    }
    case 'push': {
      const provider = values.provider ?? 'google';
      if (provider !== 'google' && provider !== 'microsoft') {
        throw new Error('--provider must be google or microsoft');
      }
      if (provider === 'microsoft') {
        await reexecTrustingGraphEmulator();
      }
      // --messages defaults to 2000 for the backfills; 60 new messages make the latency figures.
      const messages = values.messages === '2000' ? 60 : count;
      process.stdout.write(
        `${JSON.stringify(await (await import('./push.bench.ts')).benchPush(config, { messages, provider }))}\n`,
      );
      break;
    }
    case 'calendar-sync': {
      const events = Number(values.events);
      if (!Number.isInteger(events) || events <= 0) {
        throw new Error('--events must be a positive integer');
      }
      process.stdout.write(
        `${JSON.stringify(await (await import('./calendar-sync.bench.ts')).benchCalendarSync(config, { events }))}\n`,
      );
      break;
    }
    case 'relay': {
      const events = Number(values.events);
      if (!Number.isInteger(events) || events <= 0) {
        throw new Error('--events must be a positive integer');
      }
      process.stdout.write(
        `${JSON.stringify(await (await import('./relay.bench.ts')).benchRelay(config, { events }))}\n`,
      );
      break;
    }
    case 'events': {
      const events = Number(values.events);
      const endpoints = Number(values.endpoints);
      if (
        !Number.isInteger(events) ||
        events <= 0 ||
        !Number.isInteger(endpoints) ||
        endpoints <= 0
      ) {
        throw new Error('--events and --endpoints must be positive integers');
      }
      const rate = values.rate === undefined ? null : Number(values.rate);
      if (rate !== null && !(rate > 0)) {
        throw new Error('--rate must be a positive number of events per second');
      }
      const figures = await (
        await import('./events.bench.ts')
      ).benchEvents(config, { events, endpoints, rate });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      break;
    }
    case 'api': {
      const emails = Number(values.emails);
      const requests = Number(values.requests);
      if (
        !Number.isInteger(emails) ||
        emails <= 0 ||
        !Number.isInteger(requests) ||
        requests <= 0
      ) {
        throw new Error('--emails and --requests must be positive integers');
      }
      process.stdout.write(
        `${JSON.stringify(await (await import('./api.bench.ts')).benchApi(config, { emails, requests }))}\n`,
      );
      break;
    }
    case 'tracking': {
      const hits = Number(values.hits);
      const concurrency = Number(values.concurrency);
      if (
        !Number.isInteger(hits) ||
        hits <= 0 ||
        !Number.isInteger(concurrency) ||
        concurrency <= 0
      ) {
        throw new Error('--hits and --concurrency must be positive integers');
      }
      const figures = await (
        await import('./tracking.bench.ts')
      ).benchTracking(config, { hits, concurrency });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      break;
    }
    case 'fleet': {
      const options = {
        mailboxes: Number(values.mailboxes),
        workers: Number(values.workers),
        seconds: Number(values.seconds),
        speedup: Number(values.speedup),
        pushRate: Number(values['push-rate']),
        tickSeconds: Number(values.tick),
        concurrency: Number(values['sync-concurrency']),
      };
      if (
        !Object.values(options).every((v) => Number.isInteger(v) && v > 0) ||
        options.workers > 2
      ) {
        throw new Error(
          '--mailboxes, --seconds, --speedup, --push-rate, --tick and --sync-concurrency must be positive integers, --workers 1 or 2',
        );
      }
      process.stdout.write(
        `${JSON.stringify(await (await import('./fleet.bench.ts')).benchFleet(config, options))}\n`,
      );
      break;
    }
    default:
      process.stderr.write(
        `error: unknown scenario '${scenario ?? ''}' (known: ingest, gmail-backfill, gmail-faults, gmail-kills, outlook-backfill, calendar-sync, relay, events, api, tracking, fleet)\n`,
      );
      process.exit(1);
  }
} catch (err) {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
}
