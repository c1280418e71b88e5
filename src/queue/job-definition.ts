import type { Job, JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { JobContext } from './job-context.ts';

/** One job: its name, its data (ids only), its handler and its default options. */
export interface JobDefinition<Data = unknown, Result = unknown> {
  name: string;
  schema: z.ZodType<Data>;
  options: JobsOptions;
  /** Deterministic job id from the data, so the same work is never queued twice. */
  jobId: (data: Data) => string;
  handle: (job: Job<Data>, data: Data, ctx: JobContext) => Promise<Result>;
}

export class JobRegistryError extends Error {
  override readonly name = 'JobRegistryError';
}

/** Fails worker start-up when a name has no handler or two handlers. */
export function buildJobRegistry(
  definitions: readonly JobDefinition<never>[],
): ReadonlyMap<string, JobDefinition<never>> {
  const registry = new Map<string, JobDefinition<never>>();
  for (const def of definitions) {
    if (!def.name || typeof def.handle !== 'function') {
      throw new JobRegistryError(`job ${def.name || '(unnamed)'} has no handler`);
    }
    if (registry.has(def.name)) {
      throw new JobRegistryError(`job ${def.name} is registered twice`);
    }
    registry.set(def.name, def);
  }
  return registry;
}
