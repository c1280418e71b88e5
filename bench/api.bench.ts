import { randomBytes, randomUUID } from 'node:crypto';
import { initServices } from '../src/app/services.ts';
import { parseConfig, type Config } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { connectMailbox } from '../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../src/security/secret-box.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { withBenchDatabase } from './bench-database.ts';
import { peakRssMb } from './parse-baseline.ts';
import { seedApiWorkspace } from './seed-api-workspace.ts';

/**
 * `api`: a workspace seeded with N emails (seed-api-workspace.ts), then each read route of the
 * API called `--requests` times with varied parameters, through Fastify's `inject` (the whole
 * request path: auth, rate limit, validation, the queries, serialisation; no socket). Prints p50
 * and p95 in ms per route and the rows seeded.
 */
const WORDS = ['proposal', 'invoice', 'angebot', 'reunião', 'roadmap', 'legal', 'demo'];

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function benchApi(base: Config, opts: { emails: number; requests: number }) {
  return withBenchDatabase(base.db.url, async (dbUrl) => {
    const encryptionKey = randomBytes(32).toString('base64');
    const config = parseConfig({
      DATABASE_URL: dbUrl,
      REDIS_URL: base.redis.url,
      MAILROOM_ENCRYPTION_KEY: encryptionKey,
      MAILROOM_QUEUE_PREFIX: `bench-api-${randomUUID()}`,
      MAILROOM_API_RATE_LIMIT: String(1_000_000),
      LOG_LEVEL: 'warn',
    });
    const services = await initServices(config, { name: 'bench-api' });
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
      const seeded = await seedApiWorkspace(em, { workspaceId, mailboxId }, opts.emails);
      const { key } = await createApiKey(em, { workspaceId, name: 'bench' });
      const app = buildApp({
        config,
        orm: services.orm,
        log: services.log,
        encryptionKey,
        scheduleSync: () => Promise.resolve(),
        services,
      });
      await app.ready();
      const get = async (url: string) => {
        const started = performance.now();
        const res = await app.inject({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${key}` },
        });
        const ms = performance.now() - started;
        if (res.statusCode !== 200) {
          throw new Error(`${url}: ${String(res.statusCode)} ${res.body.slice(0, 300)}`);
        }
        return { ms, body: res.json<{ items: { id: string }[]; nextCursor?: string | null }>() };
      };
      const sample = async (table: 'email' | 'person', n: number): Promise<string[]> =>
        (
          await em.execute<{ id: string }[]>(
            `select id from ${table} where workspace_id = ? order by random() limit ?`,
            [workspaceId, n],
          )
        ).map((r) => r.id);
      const emailIds = await sample('email', opts.requests);
      const personIds = await sample('person', opts.requests);
      const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;
      const day = 86_400_000;
      const scenarios: Record<string, (i: number) => string> = {
        search: (i) => `/api/v1/emails?q=${encodeURIComponent(pick(WORDS, i))}&limit=50`,
        inbox: (i) =>
          i % 2 === 0
            ? '/api/v1/emails?limit=50'
            : `/api/v1/emails?limit=50&personId=${pick(personIds, i)}`,
        thread: (i) => `/api/v1/emails/${pick(emailIds, i)}/thread`,
        personTimeline: (i) => `/api/v1/people/${pick(personIds, i)}/timeline?limit=50`,
        calendarRange: (i) => {
          const from = new Date(Date.now() - (i % 700) * day);
          return `/api/v1/calendar?from=${from.toISOString()}&to=${new Date(from.getTime() + 7 * day).toISOString()}`;
        },
      };
      const figures: Record<string, { p50Ms: number; p95Ms: number }> = {};
      for (const [name, url] of Object.entries(scenarios)) {
        for (let i = 0; i < 10; i++) {
          // Warm-up (plans cached, connections open), and a check that the figures measure
          // answers with rows, not empty ones.
          const { body } = await get(url(i));
          if (name !== 'calendarRange' && body.items.length === 0) {
            throw new Error(`${name}: ${url(i)} answered no items; the seed is wrong`);
          }
        }
        const ms: number[] = [];
        for (let i = 0; i < opts.requests; i++) {
          ms.push((await get(url(i))).ms);
        }
        ms.sort((a, b) => a - b);
        figures[name] = {
          p50Ms: Math.round(percentile(ms, 50) * 10) / 10,
          p95Ms: Math.round(percentile(ms, 95) * 10) / 10,
        };
      }
      await app.close();
      return {
        scenario: 'api',
        seeded,
        requestsPerRoute: opts.requests,
        routes: figures,
        peakRssMb: peakRssMb(),
      };
    } finally {
      await services.close();
    }
  });
}
