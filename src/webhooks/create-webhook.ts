import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { findWorkspace } from '../db/repositories/workspace.repository.ts';
import { insertWebhook } from '../db/repositories/webhook.repository.ts';
import { EVENT_TYPES, type EventType } from '../events/catalog.ts';
import { checkUrl, EgressRefusedError, type ResolveAll } from '../security/egress-guard.ts';
import type { EgressPolicy } from '../security/egress-policy.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { generateWebhookSecret } from '../security/webhook-signature.ts';

export interface CreateWebhookInput {
  workspaceId: string;
  url: string;
  /** Empty: every event type, including types added later. */
  eventTypes: readonly string[];
}

/**
 * `webhook:create`: checks the URL against the egress policy (one clear line when refused), makes
 * a `whsec_` signing secret and stores it sealed. The secret is returned once, here; nothing
 * prints it again (Stripe and Svix let you roll it, not read it).
 */
export async function createWebhook(
  deps: { em: EntityManager; secretBox: SecretBox; egress: EgressPolicy; resolve?: ResolveAll },
  input: CreateWebhookInput,
): Promise<{ id: string; secret: string }> {
  const unknown = input.eventTypes.filter((t) => !EVENT_TYPES.includes(t as EventType));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `--event: unknown event type ${unknown.join(', ')} (one of ${EVENT_TYPES.join(', ')})`,
    );
  }
  if ((await findWorkspace(deps.em, input.workspaceId)) === null) {
    throw new NotFoundError(`workspace ${input.workspaceId} not found`);
  }
  try {
    await checkUrl(input.url, deps.egress, deps.resolve);
  } catch (err) {
    throw err instanceof EgressRefusedError ? new InvalidInputError(err.message) : err;
  }
  const secret = generateWebhookSecret();
  const id = await insertWebhook(deps.em, {
    workspaceId: input.workspaceId,
    url: input.url,
    eventTypes: input.eventTypes.length > 0 ? [...new Set(input.eventTypes)] : null,
    sealedSecret: deps.secretBox.seal(secret),
  });
  return { id, secret };
}
