import { createHash } from 'node:crypto';
import type { Orm } from '../../src/db/orm.ts';
import { exportWorkspace, type WorkspaceExport } from '../../src/export/export-workspace.ts';
import {
  runIngestPipeline,
  type PipelineOptions,
  type PipelineResult,
} from '../../src/ingest/ingest-pipeline.ts';
import { loadIngestTarget } from '../../src/ingest/load-ingest-target.ts';
import { ParsePool } from '../../src/mail/parse-pool.ts';

export const TEST_LIMITS = {
  maxMessageBytes: 30 * 1024 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxTextBodyChars: 100_000,
  maxHtmlBodyChars: 1_000_000,
};

export function testPool(): ParsePool {
  return new ParsePool({ size: 2, timeoutMs: 15_000, limits: TEST_LIMITS });
}

/** Ingests raw messages into a mailbox, as `ingest:eml` does (provider id = content hash). */
export async function ingestRaw(
  orm: Orm,
  pool: ParsePool,
  workspaceId: string,
  mailboxId: string,
  messages: readonly Buffer[],
  options: PipelineOptions = {},
): Promise<PipelineResult> {
  const em = orm.em.fork();
  const target = await loadIngestTarget(em, workspaceId, mailboxId);
  const sources = messages.map((raw, i) => ({
    key: `msg-${i}`,
    providerMessageId: `eml-${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`,
    providerThreadId: null,
    labels: [],
    load: () => Promise.resolve(raw),
  }));
  return runIngestPipeline(em, pool, target, sources, options);
}

export async function exportOf(orm: Orm, workspaceId: string): Promise<WorkspaceExport> {
  return exportWorkspace(orm.em.fork(), workspaceId);
}

export interface PersonView {
  email: string;
  firstName: string;
  lastName: string;
  companyDomain: string | null;
}

export interface ActivityView {
  type: string;
  personEmail: string;
  internetMessageId: string | null;
}

export const people = (e: WorkspaceExport) => e.people as PersonView[];
export const activities = (e: WorkspaceExport) => e.activities as ActivityView[];
export const companies = (e: WorkspaceExport) => e.companies as { domain: string; name: string }[];
