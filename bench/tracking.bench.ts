import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { initServices } from '../src/app/services.ts';
import { parseConfig, type Config } from '../src/config.ts';
import { insertTrackingTokens } from '../src/db/repositories/tracking.repository.ts';
import { apiDeps } from '../src/http/api-deps.ts';
import { buildApp } from '../src/http/app.ts';
import { connectMailbox } from '../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../src/security/secret-box.ts';
import { createTrackingSigner } from '../src/tracking/tracking-token.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { withBenchDatabase } from './bench-database.ts';
import { peakRssMb, round } from './parse-baseline.ts';
import { seedApiWorkspace } from './seed-api-workspace.ts';
import type { LoadRequest, LoadResult } from './hit-load-generator.ts';

/**
 * `tracking`: N hits on the public pixel and click endpoints of the app `npm start` builds
 * (`buildApp(apiDeps(services))`), listening on loopback, from an undici pool keeping
 * `--concurrency` requests in flight (default 32). The mix: pixels and clicks, browser and crawler
 * user agents, some HEADs and a few tampered tokens (answered, never stored). Tokens are minted
 * with the real signer for EMAILS seeded messages (one pixel and LINKS links each, stored a day
 * before the run so no hit is "too soon"). Latency is per request as the client sees it; the load
 * generator runs in a child process of its own (bench/hit-load-generator.ts), so the server has its
 * event loop to itself and peak RSS is the server's process alone. At the end
 * every hit on a valid token must be an `engagement_hit` row, or the bench fails.
 */
const EMAILS = 500;
const LINKS = 3;
const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CRAWLER_UAS = [
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
];

/** Runs the load generator in a child process of its own and waits for its figures. */
function generateLoad(req: LoadRequest): Promise<{ latencies: number[]; seconds: number }> {
  const child = fork(new URL('./hit-load-generator.ts', import.meta.url), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (result: LoadResult) => {
      if ('error' in result) {
        reject(new Error(`load generator: ${result.error}`));
      } else {
        resolve(result);
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`load generator exited (${String(code)}) without figures`));
    });
    child.send(req);
  });
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Target {
  path: string;
  method: 'GET' | 'HEAD';
  userAgent: string;
  valid: boolean;
  expectStatus: number;
}

/** A token with one character of its signature changed: verified to nothing, never looked up. */
const tampered = (token: string) =>
  token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.slice(-1);

export async function benchTracking(base: Config, opts: { hits: number; concurrency: number }) {
  // In flight at once: at a given rate, latency is in-flight ÷ rate (Little's law), so at 2,000
  // hits/s, 32 in flight means 16 ms on average.
  const inFlight = opts.concurrency;
  return withBenchDatabase(base.db.url, async (dbUrl) => {
    const encryptionKey = randomBytes(32).toString('base64');
    const trackingKey = randomBytes(32);
    const config = parseConfig({
      DATABASE_URL: dbUrl,
      REDIS_URL: base.redis.url,
      MAILROOM_ENCRYPTION_KEY: encryptionKey,
      MAILROOM_QUEUE_PREFIX: `bench-tracking-${randomUUID()}`,
      MAILROOM_TRACKING_KEYS: `1:${trackingKey.toString('base64')}`,
      LOG_LEVEL: 'warn',
    });
    const services = await initServices(config, { name: 'bench-tracking' });
    try {
      const em = services.orm.em.fork();
      const workspaceId = await createWorkspace(em, {
        name: 'bench',
        internalDomains: ['bench.example'],
        blocklist: [],
      });
      const mailboxId = await connectMailbox(em, new SecretBox(encryptionKey), {
        workspaceId,
        provider: 'google',
        email: 'rep@bench.example',
        refreshToken: 'bench',
        aliases: [],
        autoCreatePolicy: undefined,
      });
      await seedApiWorkspace(em, { workspaceId, mailboxId }, EMAILS);
      // Each message's correspondent (a CRM person), the recipient its tokens are attributed to.
      const messages = await em.execute<{ email_id: string; address: string }[]>(
        `select distinct on (email_id) email_id, address from email_participant
          where workspace_id = ? and person_id is not null and address <> 'rep@bench.example'
          order by email_id, position`,
        [workspaceId],
      );
      if (messages.length === 0) {
        throw new Error('the seed has no message with a correspondent');
      }
      const signer = createTrackingSigner({ current: { id: 1, key: trackingKey } });
      const dayAgo = new Date(Date.now() - 86_400_000);
      const pixels: string[] = [];
      const links: string[] = [];
      for (const m of messages) {
        const minted = [
          { kind: 'open' as const, url: null },
          ...Array.from({ length: LINKS }, (_, i) => ({
            kind: 'click' as const,
            url: `https://acme.example/p/${String(i)}?m=${m.email_id}`,
          })),
        ].map((t) => ({ ...t, token: signer.mint(t.kind) }));
        await insertTrackingTokens(
          em,
          workspaceId,
          m.email_id,
          minted.map((t) => ({
            tokenId: signer.verify(t.token)?.tokenId ?? '',
            kind: t.kind,
            url: t.url,
            recipient: m.address,
            attribution: 'single' as const,
          })),
          dayAgo,
        );
        for (const t of minted) {
          (t.kind === 'open' ? pixels : links).push(t.token);
        }
      }

      // The hits, decided up front so the run only sends them.
      const targets: Target[] = Array.from({ length: opts.hits }, (_, i) => {
        const click = i % 2 === 1;
        const pool = click ? links : pixels;
        const token = pool[Math.floor(i / 2) % pool.length] ?? '';
        const valid = i % 50 !== 7;
        return {
          path: `/t/${click ? 'c' : 'o'}/${valid ? token : tampered(token)}`,
          method: i % 10 === 3 ? 'HEAD' : 'GET',
          userAgent: i % 4 === 2 ? (CRAWLER_UAS[i % CRAWLER_UAS.length] ?? '') : BROWSER_UA,
          valid,
          expectStatus: click ? (valid ? 302 : 404) : 200,
        };
      });

      const app = buildApp(apiDeps(services));
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      try {
        // Warm-up (connections open, statements planned) on hits outside the measured set.
        const warmup = targets.slice(0, inFlight);
        const warmStored = warmup.filter((t) => t.valid).length;
        const { latencies, seconds } = await generateLoad({
          origin: `http://127.0.0.1:${String(port)}`,
          concurrency: inFlight,
          warmup,
          targets,
        });

        const rows = await em.execute<{ n: string }[]>(
          'select count(*) as n from engagement_hit where workspace_id = ?',
          [workspaceId],
        );
        const stored = Number(rows[0]?.n ?? 0);
        const expected = warmStored + targets.filter((t) => t.valid).length;
        if (stored !== expected) {
          throw new Error(
            `${String(stored)} hits stored, ${String(expected)} sent on valid tokens`,
          );
        }
        latencies.sort((a, b) => a - b);
        return {
          scenario: 'tracking',
          hits: opts.hits,
          seconds: round(seconds),
          hitsPerSecond: Math.round(opts.hits / seconds),
          p50Ms: round(percentile(latencies, 50)),
          p99Ms: round(percentile(latencies, 99)),
          peakRssMb: peakRssMb(),
        };
      } finally {
        await app.close();
      }
    } finally {
      await services.close();
    }
  });
}
