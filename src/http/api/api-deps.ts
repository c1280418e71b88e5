import { mailboxJobQueue } from '../../app/mailbox-job-queue.ts';
import type { Services } from '../../app/services.ts';
import type { MailboxJobQueue } from '../../mailboxes/mailbox-job-queue.ts';
import { PurgeRunner } from '../../mailboxes/purge-runner.ts';
import { grantRevoker, type RevokeGrant } from '../../mailboxes/revoke-grant.ts';
import { createOAuthConnectors } from '../../providers/registry.ts';
import { pushCloser, type ClosePush } from '../../push/close-push-channels.ts';

/**
 * What the `/api/v1` routes need: the process's services container (ORM, queues, Redis for the
 * rate limit, secrets, providers) and the mailbox lifecycle built on it. Handlers never touch the
 * ORM directly: each takes the request's `WorkspaceScope` (auth.ts) and calls a service.
 */
export interface ApiDeps {
  services: Services;
  /** The sync queue as mailbox operations use it; fails at once (503) while Redis is down. */
  mailboxJobs: MailboxJobQueue;
  /** Revokes a disconnected mailbox's grant at its provider (never throws). */
  revokeGrant: RevokeGrant;
  /** Closes a disconnected mailbox's push channels (never throws). */
  closePush: ClosePush;
  /** Background purges of disconnected mailboxes (resumed when the API starts). */
  purges: PurgeRunner;
}

export function createApiDeps(services: Services): ApiDeps {
  const { config } = services;
  const queue = mailboxJobQueue(() => services.syncQueue(), config.sync.calendarSync);
  // BullMQ alone would wait for Redis without bound; the request answers 503 at once instead.
  const ready =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await services.queueReady();
      return fn(...args);
    };
  const mailboxJobs: MailboxJobQueue = {
    removeJobs: ready((id: string) => queue.removeJobs(id)),
    runningJobs: ready((id: string) => queue.runningJobs(id)),
    enqueueSync: ready((id: string) => queue.enqueueSync(id)),
  };
  return {
    services,
    mailboxJobs,
    revokeGrant: grantRevoker({
      connectors: createOAuthConnectors(config),
      secretBox: () => services.secretBox(),
      log: services.log,
    }),
    closePush: pushCloser({
      em: () => services.orm.em.fork(),
      watches: () => services.providers().watch,
      log: services.log,
    }),
    purges: new PurgeRunner({
      em: () => services.orm.em.fork(),
      jobs: mailboxJobs,
      log: services.log,
    }),
  };
}
