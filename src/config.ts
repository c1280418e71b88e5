import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { EgressPolicy } from './security/egress-policy.ts';

/**
 * Configuration, parsed once from the environment and cached.
 *
 * Names are fixed by product.md. Secrets have no defaults: `MAILROOM_ENCRYPTION_KEY` must be given
 * (or `MAILROOM_ENCRYPTION_KEY_FILE`, for Docker/Kubernetes secrets), and commands that never touch
 * secrets (ingest, export) do not require it.
 */

const base64Key = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 random bytes encoded as base64 (e.g. `openssl rand -base64 32`)',
  });

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL (${protocols.join(' or ')})` },
    );

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

const commaList = z
  .string()
  .trim()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  );

/** `id:base64key`: a key id 0-255 and at least 32 random bytes (src/tracking/tracking-token.ts). */
const trackingKey = z.string().transform((v, ctx) => {
  const match = /^(\d{1,3}):([A-Za-z0-9+/]+={0,2})$/.exec(v);
  const id = Number(match?.[1]);
  const key = Buffer.from(match?.[2] ?? '', 'base64');
  if (!match || id > 255 || key.length < 32) {
    ctx.addIssue({
      code: 'custom',
      message:
        'each entry must be `id:key`, id 0-255 and key at least 32 random bytes in base64 (e.g. `1:$(openssl rand -base64 32)`)',
    });
    return z.NEVER;
  }
  return { id, key };
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default(
    'postgres://postgres@127.0.0.1:5432/mailroom',
  ),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  MAILROOM_ENCRYPTION_KEY: base64Key.optional(),
  /** Previous keys, comma-separated: still open what they sealed until `keys:rotate` has run. */
  MAILROOM_ENCRYPTION_KEYS_OLD: commaList.pipe(z.array(base64Key)),
  PUBLIC_URL: url(['http:', 'https:']).default('http://127.0.0.1:3000'),
  PORT: positiveInt(3000),
  /** How long a `mailbox:connect-url` link can start a connection: 15 minutes, 1 minute to 7 days. */
  MAILROOM_CONNECT_LINK_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(900),
  /** The API key `npm run mcp` (MCP over stdio) acts with: its workspace is the tools' scope. */
  MAILROOM_API_KEY: z.string().trim().min(1).optional(),
  /**
   * The operator's key for the queue dashboard at `/admin/queues` (Bearer, or the password of HTTP
   * Basic auth). Unset: no dashboard, `/admin/queues` answers 404. Never logged.
   */
  MAILROOM_ADMIN_KEY: z
    .string()
    .trim()
    .min(32, { message: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' })
    .optional(),
  /** Requests per minute one API key may make, counted in Redis across every API process. */
  MAILROOM_API_RATE_LIMIT: positiveInt(600),
  /** The address the API listens on: loopback by default, `0.0.0.0` in containers. */
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /**
   * How long a SIGTERM waits for running work before the process exits anyway (a sync job cut
   * short resumes from its checkpoint). Keep it below the supervisor's own kill timeout.
   */
  MAILROOM_SHUTDOWN_GRACE_SECONDS: positiveInt(25),
  /**
   * Prometheus `GET /metrics`, without auth, on the API and on the worker's own port. Counts and
   * queue depths only, nothing about a workspace; `off` where the API port is public and no proxy
   * keeps `/metrics` inside.
   */
  MAILROOM_METRICS: z.enum(['on', 'off']).default('on'),
  /** The worker's metrics port (it serves nothing else), on `HOST`. */
  MAILROOM_WORKER_METRICS_PORT: positiveInt(9464),
  GOOGLE_CLIENT_ID: z.string().trim().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().trim().min(1).optional(),
  GOOGLE_API_ROOT_URL: url(['http:', 'https:']).optional(),
  GOOGLE_OAUTH_TOKEN_URL: url(['http:', 'https:']).default('https://oauth2.googleapis.com/token'),
  GOOGLE_OAUTH_AUTH_URL: url(['http:', 'https:']).default(
    'https://accounts.google.com/o/oauth2/v2/auth',
  ),
  /**
   * Push (product.md "Push"): `auto` turns it on when PUBLIC_URL is https (Graph only calls https
   * URLs), `on` also over plain http (local emulators), `off` never: polling alone.
   */
  MAILROOM_PUSH: z.enum(['auto', 'on', 'off']).default('auto'),
  /** The Pub/Sub topic Gmail publishes to (`projects/<project>/topics/<topic>`): set, it enables `users.watch`. */
  GOOGLE_PUBSUB_TOPIC: z
    .string()
    .trim()
    .regex(/^projects\/[^/]+\/topics\/[^/]+$/, 'must be projects/<project>/topics/<topic>')
    .optional(),
  /** Set, `POST /push/google` accepts only pushes with a Google-signed OIDC token for this audience. */
  GOOGLE_PUBSUB_AUDIENCE: z.string().trim().min(1).optional(),
  /** Set, the OIDC token must also name this service account (the push subscription's). */
  GOOGLE_PUBSUB_SERVICE_ACCOUNT: z.string().trim().min(1).optional(),
  /**
   * Where Google's OIDC signing certificates are read (PEM). Unset: `oauth2/v1/certs` under the
   * API root (`https://www.googleapis.com/oauth2/v1/certs`, Google's own, or an emulator's).
   */
  GOOGLE_OAUTH_CERTS_URL: url(['http:', 'https:']).optional(),
  /** Lifetime asked for a Graph subscription; renewed when half of it is gone. */
  MAILROOM_GRAPH_SUBSCRIPTION_MINUTES: z.coerce.number().int().min(45).max(10_080).default(4_200),
  /** How often a worker looks for mailboxes whose watch or subscriptions are missing or due. */
  MAILROOM_PUSH_CHECK_SECONDS: positiveInt(300),
  MICROSOFT_CLIENT_ID: z.string().trim().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().trim().min(1).optional(),
  MICROSOFT_TENANT: z.string().trim().min(1).default('common'),
  MICROSOFT_GRAPH_URL: url(['https:']).default('https://graph.microsoft.com'),
  MICROSOFT_LOGIN_URL: url(['http:', 'https:']).default('https://login.microsoftonline.com'),
  /**
   * Every provider call (Gmail, Google Calendar, Graph, both token endpoints) gives up after this
   * long, connecting included; a timed-out call is transient and retried.
   */
  MAILROOM_PROVIDER_TIMEOUT_MS: positiveInt(30_000),
  /** Parser isolation: worker threads, per-message time budget and input caps. */
  MAILROOM_PARSE_WORKERS: positiveInt(2),
  MAILROOM_PARSE_TIMEOUT_MS: positiveInt(10_000),
  MAILROOM_MAX_MESSAGE_BYTES: positiveInt(30 * 1024 * 1024),
  MAILROOM_MAX_HEADER_BYTES: positiveInt(256 * 1024),
  MAILROOM_MAX_TEXT_BODY_CHARS: positiveInt(100_000),
  MAILROOM_MAX_HTML_BODY_CHARS: positiveInt(1_000_000),
  /** Sync: queue key prefix (tests use a unique one), backfill bounds, politeness. */
  MAILROOM_QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('mailroom'),
  MAILROOM_BACKFILL_DAYS: z.coerce.number().int().min(0).default(0),
  MAILROOM_BACKFILL_MAX_MESSAGES: z.coerce.number().int().min(0).default(10_000),
  MAILROOM_FETCH_CONCURRENCY: positiveInt(8),
  MAILROOM_POLL_INTERVAL_SECONDS: positiveInt(300),
  /**
   * The fleet scheduler (jobs/poll-mailboxes.job.ts): how often a tick looks for due mailboxes,
   * the poll interval of a push-healthy mailbox (push is the normal path; the poll a fallback),
   * and how many mailboxes one claim statement takes (a tick claims until none are due).
   */
  MAILROOM_POLL_TICK_SECONDS: positiveInt(5),
  MAILROOM_PUSH_POLL_INTERVAL_SECONDS: positiveInt(3600),
  MAILROOM_POLL_BATCH_SIZE: positiveInt(500),
  /**
   * Events out: waiting jobs kept on the `events` queue (oldest dropped past it), and how often
   * the relay looks at the outbox when no NOTIFY woke it (the fallback, not the normal path).
   */
  MAILROOM_EVENTS_QUEUE_MAX: positiveInt(100_000),
  MAILROOM_EVENTS_POLL_MS: positiveInt(2_000),
  /**
   * A message that could not be stored is tried again by later syncs after each of these delays
   * (seconds: 1 h, 6 h, 24 h, 24 h), then kept as permanently failed with its reason; `none`
   * records it as failed at once.
   */
  MAILROOM_MESSAGE_RETRY_SECONDS: z
    .string()
    .trim()
    .default('3600,21600,86400,86400')
    .refine((v) => v === 'none' || /^\d+(\s*,\s*\d+)*$/.test(v), {
      message: 'must be whole seconds separated by commas, or none',
    })
    .transform((v) => (v === 'none' ? [] : v.split(',').map((d) => Number(d.trim())))),
  MAILROOM_SYNC_CONCURRENCY: positiveInt(4),
  /** Job lock; a worker that dies mid-job gives its job back after this long. */
  MAILROOM_JOB_LOCK_SECONDS: positiveInt(120),
  /**
   * How often a job whose worker died (lock expired) is handed to another worker before it fails
   * (kept in the failed list, the mailbox in `error`). Sync resumes from its checkpoint, so a few
   * more are cheap; a job that kills every worker that runs it must still stop.
   */
  MAILROOM_MAX_STALLED_COUNT: z.coerce.number().int().min(0).default(3),
  /**
   * A job that makes no progress (no provider call returns) for this long is failed as transient
   * and retried, so a black-holed connection cannot keep a job and its lock for ever.
   */
  MAILROOM_JOB_WATCHDOG_SECONDS: positiveInt(900),
  /** How often the worker re-asserts the poll scheduler (Redis may have lost it). */
  MAILROOM_SCHEDULER_REASSERT_SECONDS: positiveInt(60),
  /** The Gmail quota regime of the Google Cloud project (provider-apis.md §A.9), or off. */
  MAILROOM_GMAIL_QUOTA: z.enum(['old', 'new', 'off']).default('new'),
  /** Per-user units per minute, when Google granted a different quota than the regime's. */
  MAILROOM_GMAIL_QUOTA_UNITS_PER_MINUTE: z.coerce.number().int().positive().optional(),
  /** Outlook folders synced, by well-known name or id (Junk, Deleted Items, Drafts never are). */
  MAILROOM_OUTLOOK_FOLDERS: z
    .string()
    .trim()
    .default('inbox,sentitems')
    .transform((v) =>
      v
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    )
    .refine(
      (folders) =>
        folders.length > 0 &&
        !folders.some((f) => ['junkemail', 'deleteditems', 'drafts'].includes(f.toLowerCase())),
      { message: 'must list folders to sync, without junkemail, deleteditems or drafts' },
    ),
  /**
   * Budgets shared by every worker through Redis (provider-apis.md §A.9, §B.5, §D.4): Gmail units
   * per minute of the Google Cloud project, Calendar requests per minute of the project, Graph
   * requests per 10 s of the Microsoft app. 0 turns one off.
   */
  MAILROOM_GOOGLE_PROJECT_QUOTA_PER_MINUTE: z.coerce.number().int().min(0).default(1_200_000),
  MAILROOM_GOOGLE_CALENDAR_PROJECT_REQUESTS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .default(10_000),
  MAILROOM_MICROSOFT_APP_REQUESTS_PER_10S: z.coerce.number().int().min(0).default(130_000),
  /** Graph's per-mailbox budget (provider-apis.md §D.4); 0 turns the limiter off. */
  MAILROOM_GRAPH_REQUESTS_PER_WINDOW: z.coerce.number().int().min(0).default(10_000),
  MAILROOM_GRAPH_WINDOW_SECONDS: z.coerce.number().positive().default(600),
  /** Google calendars synced per mailbox, by id (`primary` is the user's own). */
  MAILROOM_GOOGLE_CALENDARS: z
    .string()
    .trim()
    .default('primary')
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .refine((ids) => ids.length > 0, { message: 'must list at least one calendar id' }),
  /** Calendar turned off for every mailbox (mail only). */
  MAILROOM_CALENDAR_SYNC: z.enum(['on', 'off']).default('on'),
  /**
   * Outlook's calendarView window around today, moved forward as days pass. A year back by
   * default: past meetings are what a timeline shows first.
   */
  MAILROOM_CALENDAR_PAST_DAYS: z.coerce.number().int().min(0).max(3650).default(365),
  MAILROOM_CALENDAR_FUTURE_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** PostgreSQL session timeouts (src/db/session-timeouts.ts); 0 turns one off. */
  MAILROOM_DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  MAILROOM_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(120_000),
  MAILROOM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  /** Gmail meters per minute; only the benchmark's sped-up emulator needs another window. */
  MAILROOM_GMAIL_QUOTA_WINDOW_SECONDS: z.coerce.number().positive().default(60),
  /**
   * Webhooks (product.md "Webhooks"): one attempt's bound (connect, headers and body), the first
   * retry's delay (doubled each time, with jitter), the attempts before a delivery is `failed`,
   * and which addresses an endpoint may be at.
   */
  MAILROOM_WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  MAILROOM_WEBHOOK_BACKOFF_MS: positiveInt(5_000),
  MAILROOM_WEBHOOK_MAX_ATTEMPTS: positiveInt(10),
  MAILROOM_WEBHOOK_EGRESS: z.enum(['public', 'private']).default('public'),
  /**
   * Deliveries one worker process runs at once, and at most in flight to one endpoint (webhook)
   * across all worker processes (src/webhooks/endpoint-slots.ts).
   */
  MAILROOM_WEBHOOK_CONCURRENCY: positiveInt(32),
  MAILROOM_WEBHOOK_ENDPOINT_CONCURRENCY: positiveInt(8),
  /**
   * Keys signing tracking tokens, comma-separated `id:base64key`, the first the current one (it
   * mints), the others still verifying mail sent before a rotation. None: tracking is off, and the
   * pixel and click endpoints answer as for unknown tokens.
   */
  MAILROOM_TRACKING_KEYS: commaList
    .pipe(z.array(trackingKey))
    .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, {
      message: 'key ids must be distinct',
    }),
  /** Proxies whose `X-Forwarded-For` is believed for a tracking hit's address: CIDRs, default none. */
  MAILROOM_TRUSTED_PROXIES: commaList.pipe(
    z.array(
      z.string().refine((v) => ipaddr.isValidCIDR(v), {
        message: 'must be CIDRs, comma-separated (e.g. `10.0.0.0/8,::1/128`)',
      }),
    ),
  ),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  db: {
    url: string;
    /** PostgreSQL session timeouts, in ms (src/db/session-timeouts.ts `DbTimeouts`). */
    timeouts: {
      lockTimeoutMs: number;
      statementTimeoutMs: number;
      idleInTransactionTimeoutMs: number;
    };
  };
  redis: { url: string };
  encryptionKey: string | undefined;
  /** Keys that only open secrets (during a rotation); new secrets are sealed with `encryptionKey`. */
  encryptionKeysOld: string[];
  http: {
    publicUrl: string;
    port: number;
    host: string;
    connectLinkTtlSeconds: number;
    /** Requests per minute per API key. */
    apiRateLimit: number;
    /** The key `npm run mcp` uses (never logged). */
    mcpApiKey: string | undefined;
    /** The queue dashboard's key (never logged); undefined: no dashboard. */
    adminKey: string | undefined;
  };
  shutdownGraceMs: number;
  metrics: { enabled: boolean; workerPort: number };
  push: {
    /** Push is wanted (MAILROOM_PUSH and PUBLIC_URL); Gmail also needs `google.pubsubTopic`. */
    enabled: boolean;
    /** Graph's notification and lifecycle URL: `${PUBLIC_URL}/push/microsoft`. */
    microsoftUrl: string;
    graphSubscriptionMinutes: number;
    checkSeconds: number;
  };
  google: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    apiRootUrl: string | undefined;
    tokenUrl: string;
    authUrl: string;
    /** Per request, token refreshes included. */
    requestTimeoutMs: number;
    pubsubTopic: string | undefined;
    pubsubAudience: string | undefined;
    pubsubServiceAccount: string | undefined;
    certsUrl: string;
  };
  microsoft: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    tenant: string;
    graphUrl: string;
    loginUrl: string;
    /** Per request, token refreshes included. */
    requestTimeoutMs: number;
  };
  parser: { workers: number; timeoutMs: number; maxMessageBytes: number; maxHeaderBytes: number };
  ingest: { maxTextBodyChars: number; maxHtmlBodyChars: number };
  events: { queueMax: number; pollMs: number };
  sync: {
    queuePrefix: string;
    /** 0 means unbounded. */
    backfillDays: number;
    backfillMaxMessages: number;
    fetchConcurrency: number;
    pollIntervalSeconds: number;
    pollTickSeconds: number;
    pushPollIntervalSeconds: number;
    pollBatchSize: number;
    /** Delays before each retry of a message that failed; their count bounds the retries. */
    messageRetrySeconds: number[];
    concurrency: number;
    jobLockSeconds: number;
    maxStalledCount: number;
    jobWatchdogSeconds: number;
    schedulerReassertSeconds: number;
    gmailQuota: 'old' | 'new' | 'off';
    gmailQuotaUnitsPerMinute: number | undefined;
    gmailQuotaWindowSeconds: number;
    outlookFolders: string[];
    googleCalendars: string[];
    calendarSync: boolean;
    calendarPastDays: number;
    calendarFutureDays: number;
    graphRequestsPerWindow: number;
    graphWindowSeconds: number;
    /** The Redis-shared budgets (0: off); keyed by GOOGLE_CLIENT_ID and MICROSOFT_CLIENT_ID. */
    sharedQuota: {
      gmailUnitsPerMinute: number;
      googleCalendarRequestsPerMinute: number;
      graphRequestsPer10s: number;
    };
  };
  tracking: {
    /** Signing keys, the current one first; empty: tracking is off. */
    keys: { id: number; key: Buffer }[];
    /** CIDRs of the proxies whose `X-Forwarded-For` is believed. */
    trustedProxies: string[];
  };
  webhooks: {
    timeoutMs: number;
    backoffMs: number;
    maxAttempts: number;
    egress: EgressPolicy;
    concurrency: number;
    endpointConcurrency: number;
  };
}

/** Google's API root, where the Gmail and Calendar clients go and Google serves its certificates. */
const GOOGLE_API_ROOT = 'https://www.googleapis.com/';
const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

/** Thrown for a missing or malformed setting; its message is one line naming every bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads `<KEY>_FILE` for any of our keys not set directly, so secrets can come from files. */
async function withFileSecrets(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const { readFile } = await import('node:fs/promises');
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || value === undefined) {
      continue;
    }
    const target = key.slice(0, -'_FILE'.length);
    if (target in envSchema.shape && out[target] === undefined) {
      try {
        out[target] = (await readFile(value, 'utf8')).trim();
      } catch (err) {
        throw new ConfigError(`${key}: cannot read ${value} (${(err as Error).message})`);
      }
    }
  }
  return out;
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  // Empty strings in .env files mean "not set", not "set to nothing".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = result.data;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    db: {
      url: e.DATABASE_URL,
      timeouts: {
        lockTimeoutMs: e.MAILROOM_DB_LOCK_TIMEOUT_MS,
        statementTimeoutMs: e.MAILROOM_DB_STATEMENT_TIMEOUT_MS,
        idleInTransactionTimeoutMs: e.MAILROOM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      },
    },
    redis: { url: e.REDIS_URL },
    encryptionKey: e.MAILROOM_ENCRYPTION_KEY,
    encryptionKeysOld: e.MAILROOM_ENCRYPTION_KEYS_OLD,
    http: {
      publicUrl: e.PUBLIC_URL,
      port: e.PORT,
      host: e.HOST,
      connectLinkTtlSeconds: e.MAILROOM_CONNECT_LINK_TTL_SECONDS,
      apiRateLimit: e.MAILROOM_API_RATE_LIMIT,
      mcpApiKey: e.MAILROOM_API_KEY,
      adminKey: e.MAILROOM_ADMIN_KEY,
    },
    shutdownGraceMs: e.MAILROOM_SHUTDOWN_GRACE_SECONDS * 1000,
    metrics: {
      enabled: e.MAILROOM_METRICS === 'on',
      workerPort: e.MAILROOM_WORKER_METRICS_PORT,
    },
    push: {
      enabled:
        e.MAILROOM_PUSH === 'on' ||
        (e.MAILROOM_PUSH === 'auto' && new URL(e.PUBLIC_URL).protocol === 'https:'),
      microsoftUrl: `${e.PUBLIC_URL.replace(/\/+$/, '')}/push/microsoft`,
      graphSubscriptionMinutes: e.MAILROOM_GRAPH_SUBSCRIPTION_MINUTES,
      checkSeconds: e.MAILROOM_PUSH_CHECK_SECONDS,
    },
    google: {
      clientId: e.GOOGLE_CLIENT_ID,
      clientSecret: e.GOOGLE_CLIENT_SECRET,
      apiRootUrl: e.GOOGLE_API_ROOT_URL,
      tokenUrl: e.GOOGLE_OAUTH_TOKEN_URL,
      authUrl: e.GOOGLE_OAUTH_AUTH_URL,
      requestTimeoutMs: e.MAILROOM_PROVIDER_TIMEOUT_MS,
      pubsubTopic: e.GOOGLE_PUBSUB_TOPIC,
      pubsubAudience: e.GOOGLE_PUBSUB_AUDIENCE,
      pubsubServiceAccount: e.GOOGLE_PUBSUB_SERVICE_ACCOUNT,
      certsUrl:
        e.GOOGLE_OAUTH_CERTS_URL ??
        new URL('oauth2/v1/certs', withSlash(e.GOOGLE_API_ROOT_URL ?? GOOGLE_API_ROOT)).toString(),
    },
    microsoft: {
      clientId: e.MICROSOFT_CLIENT_ID,
      clientSecret: e.MICROSOFT_CLIENT_SECRET,
      tenant: e.MICROSOFT_TENANT,
      graphUrl: e.MICROSOFT_GRAPH_URL,
      loginUrl: e.MICROSOFT_LOGIN_URL,
      requestTimeoutMs: e.MAILROOM_PROVIDER_TIMEOUT_MS,
    },
    parser: {
      workers: e.MAILROOM_PARSE_WORKERS,
      timeoutMs: e.MAILROOM_PARSE_TIMEOUT_MS,
      maxMessageBytes: e.MAILROOM_MAX_MESSAGE_BYTES,
      maxHeaderBytes: e.MAILROOM_MAX_HEADER_BYTES,
    },
    ingest: {
      maxTextBodyChars: e.MAILROOM_MAX_TEXT_BODY_CHARS,
      maxHtmlBodyChars: e.MAILROOM_MAX_HTML_BODY_CHARS,
    },
    events: { queueMax: e.MAILROOM_EVENTS_QUEUE_MAX, pollMs: e.MAILROOM_EVENTS_POLL_MS },
    sync: {
      queuePrefix: e.MAILROOM_QUEUE_PREFIX,
      backfillDays: e.MAILROOM_BACKFILL_DAYS,
      backfillMaxMessages: e.MAILROOM_BACKFILL_MAX_MESSAGES,
      fetchConcurrency: e.MAILROOM_FETCH_CONCURRENCY,
      pollIntervalSeconds: e.MAILROOM_POLL_INTERVAL_SECONDS,
      pollTickSeconds: e.MAILROOM_POLL_TICK_SECONDS,
      pushPollIntervalSeconds: e.MAILROOM_PUSH_POLL_INTERVAL_SECONDS,
      pollBatchSize: e.MAILROOM_POLL_BATCH_SIZE,
      messageRetrySeconds: e.MAILROOM_MESSAGE_RETRY_SECONDS,
      concurrency: e.MAILROOM_SYNC_CONCURRENCY,
      jobLockSeconds: e.MAILROOM_JOB_LOCK_SECONDS,
      maxStalledCount: e.MAILROOM_MAX_STALLED_COUNT,
      jobWatchdogSeconds: e.MAILROOM_JOB_WATCHDOG_SECONDS,
      schedulerReassertSeconds: e.MAILROOM_SCHEDULER_REASSERT_SECONDS,
      gmailQuota: e.MAILROOM_GMAIL_QUOTA,
      gmailQuotaUnitsPerMinute: e.MAILROOM_GMAIL_QUOTA_UNITS_PER_MINUTE,
      gmailQuotaWindowSeconds: e.MAILROOM_GMAIL_QUOTA_WINDOW_SECONDS,
      outlookFolders: e.MAILROOM_OUTLOOK_FOLDERS,
      googleCalendars: e.MAILROOM_GOOGLE_CALENDARS,
      calendarSync: e.MAILROOM_CALENDAR_SYNC === 'on',
      calendarPastDays: e.MAILROOM_CALENDAR_PAST_DAYS,
      calendarFutureDays: e.MAILROOM_CALENDAR_FUTURE_DAYS,
      graphRequestsPerWindow: e.MAILROOM_GRAPH_REQUESTS_PER_WINDOW,
      graphWindowSeconds: e.MAILROOM_GRAPH_WINDOW_SECONDS,
      sharedQuota: {
        gmailUnitsPerMinute: e.MAILROOM_GOOGLE_PROJECT_QUOTA_PER_MINUTE,
        googleCalendarRequestsPerMinute: e.MAILROOM_GOOGLE_CALENDAR_PROJECT_REQUESTS_PER_MINUTE,
        graphRequestsPer10s: e.MAILROOM_MICROSOFT_APP_REQUESTS_PER_10S,
      },
    },
    webhooks: {
      timeoutMs: e.MAILROOM_WEBHOOK_TIMEOUT_MS,
      backoffMs: e.MAILROOM_WEBHOOK_BACKOFF_MS,
      maxAttempts: e.MAILROOM_WEBHOOK_MAX_ATTEMPTS,
      egress: e.MAILROOM_WEBHOOK_EGRESS,
      concurrency: e.MAILROOM_WEBHOOK_CONCURRENCY,
      endpointConcurrency: e.MAILROOM_WEBHOOK_ENDPOINT_CONCURRENCY,
    },
    tracking: {
      keys: e.MAILROOM_TRACKING_KEYS,
      trustedProxies: e.MAILROOM_TRUSTED_PROXIES,
    },
  };
}

let cached: Config | undefined;

/** Loads `.env` (if present, never overriding the real environment) and parses once. */
export async function loadConfig(): Promise<Config> {
  if (cached) {
    return cached;
  }
  const { existsSync } = await import('node:fs');
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  cached = parseConfig(await withFileSecrets(process.env));
  return cached;
}

export function resetConfigForTests(): void {
  cached = undefined;
}

/** The encryption key, for the commands that store or read secrets. */
export function requireEncryptionKey(config: Config): string {
  if (config.encryptionKey === undefined) {
    throw new ConfigError(
      'MAILROOM_ENCRYPTION_KEY is required: 32 random bytes in base64 (e.g. `openssl rand -base64 32`)',
    );
  }
  return config.encryptionKey;
}
