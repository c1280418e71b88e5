import type { EntityManager } from '@mikro-orm/postgresql';
import { requireEncryptionKey, type Config } from '../config.ts';
import type { MailProvider } from '../db/entities/mailbox.entity.ts';
import { findWorkspace } from '../db/repositories/workspace.repository.ts';
import { NotFoundError } from '../errors.ts';
import { ConnectLinkSigner } from '../security/connect-link.ts';

/**
 * A connect link: the URL a rep opens to connect a mailbox to a workspace
 * (`PUBLIC_URL/oauth/{provider}/start?link=…`), signed and valid for
 * `MAILROOM_CONNECT_LINK_TTL_SECONDS` (15 minutes by default). Whoever holds it can connect one
 * mailbox of that provider to that workspace until it expires, so hand it only to that rep.
 */
export interface ConnectLinkRequest {
  workspaceId: string;
  provider: MailProvider;
  /** The address to suggest on the consent page, if known. */
  loginHint: string | null;
}

export async function createConnectLink(
  em: EntityManager,
  config: Config,
  request: ConnectLinkRequest,
  now = Date.now(),
): Promise<{ url: string; expiresAt: string }> {
  const signer = new ConnectLinkSigner(requireEncryptionKey(config));
  if (!(await findWorkspace(em, request.workspaceId))) {
    throw new NotFoundError(`workspace ${request.workspaceId} not found`);
  }
  const { token, expiresAt } = signer.sign(request, config.http.connectLinkTtlSeconds * 1000, now);
  const url = new URL(`/oauth/${request.provider}/start`, config.http.publicUrl);
  url.searchParams.set('link', token);
  return { url: url.toString(), expiresAt: new Date(expiresAt).toISOString() };
}
