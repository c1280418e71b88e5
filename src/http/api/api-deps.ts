import type { Services } from '../../app/services.ts';

/**
 * What the `/api/v1` routes need: the process's services container (ORM, queues, Redis for the
 * rate limit, secrets, providers). Handlers never touch the ORM directly: each takes the request's
 * `WorkspaceScope` (auth.ts) and calls a service.
 */
export interface ApiDeps {
  services: Services;
}
