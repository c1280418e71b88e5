/**
 * `npm run demo`: ingests the bundled fixture mailbox (fixtures/mailbox, mail written for this
 * project) into PostgreSQL through the real pipeline, then prints what was created and skipped.
 * Needs only PostgreSQL running (docker compose up -d, or a local server with the defaults).
 * Re-running it is safe: the second run finds everything already there and creates nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { WorkspaceSchema } from '../src/db/entities/workspace.entity.ts';
import { migrate } from '../src/db/migrate.ts';
import { initORM } from '../src/db/orm.ts';
import { exportWorkspace } from '../src/export/export-workspace.ts';
import { collectEmlFiles, emlSource } from '../src/ingest/eml-sources.ts';
import { runIngestPipeline } from '../src/ingest/ingest-pipeline.ts';
import { loadIngestTarget } from '../src/ingest/load-ingest-target.ts';
import { createParsePool } from '../src/mail/create-parse-pool.ts';
import { connectMailbox } from '../src/mailboxes/connect-mailbox.ts';
import { mailboxStatus } from '../src/mailboxes/mailbox-status.ts';
import { SecretBox } from '../src/security/secret-box.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/mailbox', import.meta.url));
const LOCAL = fileURLToPath(new URL('../.local', import.meta.url));
const WORKSPACE_NAME = 'Northwind Traders (demo)';
const OWNER = 'dana@northwindtraders.com';

/** The demo's own encryption key, generated once into a git-ignored file; never a code default. */
async function demoKey(): Promise<string> {
  const file = `${LOCAL}/demo-encryption-key`;
  if (existsSync(file)) {
    return (await readFile(file, 'utf8')).trim();
  }
  await mkdir(LOCAL, { recursive: true });
  const key = randomBytes(32).toString('base64');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

const config = await loadConfig();
const applied = await migrate(config.db.url);
const orm = await initORM(config.db.url);
const pool = createParsePool(config);
try {
  const em = orm.em.fork();
  let workspace = await em.findOne(WorkspaceSchema, { name: WORKSPACE_NAME });
  if (!workspace) {
    workspace = em.create(WorkspaceSchema, {
      id: crypto.randomUUID(),
      name: WORKSPACE_NAME,
      internalDomains: ['northwindtraders.com'],
      blocklist: [],
      settings: {},
      createdAt: new Date(),
    });
    await em.flush();
  }
  const box = new SecretBox(config.encryptionKey ?? (await demoKey()));
  const mailboxId = await connectMailbox(em, box, {
    workspaceId: workspace.id,
    provider: 'google',
    email: OWNER,
    refreshToken: 'demo-refresh-token',
    aliases: [],
    autoCreatePolicy: undefined,
  });

  const files = await collectEmlFiles([FIXTURES]);
  const target = await loadIngestTarget(em, workspace.id, mailboxId);
  const started = performance.now();
  const result = await runIngestPipeline(
    em,
    pool,
    target,
    await Promise.all(files.map((f) => emlSource(f))),
  );
  const seconds = (performance.now() - started) / 1000;
  const data = await exportWorkspace(em, workspace.id);
  const status = (await mailboxStatus(em, mailboxId)) as {
    counts: {
      skippedMessages: Record<string, number>;
      skippedParticipants: Record<string, number>;
    };
  };
  const c = result.counters;

  const out: string[] = [];
  out.push(
    `Mailroom demo: ${files.length} fixture messages for ${OWNER} in ${seconds.toFixed(2)} s`,
  );
  if (applied.length > 0) {
    out.push(`migrations applied: ${applied.join(', ')}`);
  }
  out.push('');
  out.push('this run       stored  already  people  companies  activities');
  out.push(
    `               ${pad(c.emailsStored, 6)}  ${pad(c.emailsAlreadyStored, 7)}  ${pad(c.peopleCreated, 6)}  ${pad(c.companiesCreated, 9)}  ${pad(c.activitiesCreated, 10)}`,
  );
  out.push('');
  out.push(
    `in the workspace: ${data.people.length} people, ${data.companies.length} companies, ${data.emails.length} emails, ${data.activities.length} activities`,
  );
  out.push('');
  out.push('people (email, name, company)');
  for (const p of data.people as {
    email: string;
    firstName: string;
    lastName: string;
    companyDomain: string | null;
  }[]) {
    out.push(
      `  ${p.email.padEnd(42)} ${`${p.firstName} ${p.lastName}`.trim().padEnd(26)} ${p.companyDomain ?? '(personal)'}`,
    );
  }
  out.push('');
  out.push('messages kept out of the CRM, by reason');
  for (const [reason, n] of Object.entries(status.counts.skippedMessages)) {
    out.push(`  ${reason.padEnd(28)} ${pad(n, 4)}`);
  }
  out.push('participants who created no record, by reason');
  for (const [reason, n] of Object.entries(status.counts.skippedParticipants)) {
    out.push(`  ${reason.padEnd(28)} ${pad(n, 4)}`);
  }
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  for (const f of failed) {
    out.push(`failed: ${f.key}: ${f.reason}`);
  }
  out.push('');
  out.push(
    `workspace ${workspace.id}; see everything with: npm run --silent mailroom -- export --workspace ${workspace.id}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await pool.close();
  await orm.close(true);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width);
}
