import { buildJobRegistry, type JobDefinition } from '../src/queue/job-definition.ts';
import { mailboxSyncJob } from './mailbox-sync.job.ts';
import { pollMailboxesJob } from './poll-mailboxes.job.ts';

/** Every job the workers run. Start-up fails on a duplicate or handler-less entry. */
export const JOB_DEFINITIONS = [
  mailboxSyncJob,
  pollMailboxesJob,
] as unknown as readonly JobDefinition<never>[];

export const JOB_REGISTRY = buildJobRegistry(JOB_DEFINITIONS);
