import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Orm } from '../../db/orm.ts';
import { findWorkspace } from '../../db/repositories/workspace.repository.ts';
import { MailroomError, NotFoundError } from '../../errors.ts';
import type { OAuthConnector } from '../../providers/oauth-connector.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import type { StateSigner } from '../../security/signed-state.ts';
import { completeConnection } from './complete-connection.ts';

/**
 * Connecting a mailbox, the same for every provider: `/oauth/{provider}/start` sends the rep to
 * the provider's consent page with a signed state naming the workspace (and the provider, so a
 * state cannot be replayed on another provider's callback); `/oauth/{provider}/callback` checks
 * the state, lets the provider's connector exchange the code, stores the mailbox with its refresh
 * token sealed (a reconnect replaces it and clears `reauth_required`) and schedules its first sync.
 */
interface Deps {
  config: Config;
  orm: Orm;
  box: SecretBox;
  signer: StateSigner;
  scheduleSync: (mailboxId: string) => Promise<void>;
  connectors: readonly OAuthConnector[];
}

const startQuery = z.object({ workspace: z.uuid(), email: z.email().optional() });
const callbackQuery = z.object({
  state: z.string().min(1),
  code: z.string().min(1).optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/**
 * The variables a provider's OAuth client needs, and whether each is set. Mailroom is a web
 * (confidential) client for both vendors, so each needs an id and a secret.
 */
function clientSettings(config: Config, provider: OAuthConnector['provider']): [string, boolean][] {
  const { clientId, clientSecret } = config[provider];
  const prefix = provider.toUpperCase();
  return [
    [`${prefix}_CLIENT_ID`, clientId !== undefined],
    [`${prefix}_CLIENT_SECRET`, clientSecret !== undefined],
  ];
}

/**
 * Refuses with 503 naming the variables when the provider's client is not configured (rather than
 * sending the rep to a consent page with `client_id=`).
 */
function assertConfigured(config: Config, connector: OAuthConnector): void {
  const settings = clientSettings(config, connector.provider);
  const missing = settings.filter(([, set]) => !set).map(([name]) => name);
  if (missing.length === 0) {
    return;
  }
  throw new MailroomError(
    'OAUTH_NOT_CONFIGURED',
    `${connector.vendor} sign-in is not configured (${missing.join(' and ')} not set): ` +
      `set ${settings.map(([name]) => name).join(' and ')}`,
  );
}

export function registerOAuthRoutes(app: FastifyInstance, deps: Deps): void {
  for (const connector of deps.connectors) {
    registerConnector(app, deps, connector);
  }
}

function registerConnector(app: FastifyInstance, deps: Deps, connector: OAuthConnector): void {
  const { provider } = connector;
  const redirectUri = new URL(`/oauth/${provider}/callback`, deps.config.http.publicUrl).toString();

  app.get(`/oauth/${provider}/start`, async (req, reply) => {
    assertConfigured(deps.config, connector);
    const q = startQuery.safeParse(req.query);
    if (!q.success) {
      throw new MailroomError('INVALID_INPUT', 'workspace (uuid) is required; email is optional');
    }
    if (!(await findWorkspace(deps.orm.em.fork(), q.data.workspace))) {
      throw new NotFoundError(`workspace ${q.data.workspace} not found`);
    }
    const loginHint = q.data.email ?? null;
    const state = deps.signer.sign({ workspaceId: q.data.workspace, provider, loginHint });
    return reply.redirect(connector.authorizationUrl({ redirectUri, state, loginHint }), 302);
  });

  app.get(`/oauth/${provider}/callback`, async (req) => {
    assertConfigured(deps.config, connector);
    const q = callbackQuery.safeParse(req.query);
    if (!q.success) {
      throw new MailroomError('INVALID_INPUT', 'state and code are required');
    }
    const state = deps.signer.verify(q.data.state);
    if (state.provider !== provider) {
      throw new MailroomError('OAUTH_DENIED', 'state was issued for another provider');
    }
    if (q.data.error || !q.data.code) {
      throw new MailroomError(
        'OAUTH_DENIED',
        `${connector.vendor} did not grant access (${q.data.error ?? 'no code'})`,
      );
    }
    const grant = await connector.exchangeCode({ code: q.data.code, redirectUri });
    return completeConnection(deps, {
      workspaceId: state.workspaceId,
      provider,
      email: grant.email,
      refreshToken: grant.refreshToken,
    });
  });
}
