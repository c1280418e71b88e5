import { Client } from '@microsoft/microsoft-graph-client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { WorkspaceSchema } from '../../db/entities/workspace.entity.ts';
import type { Orm } from '../../db/orm.ts';
import { MailroomError, NotFoundError } from '../../errors.ts';
import { MICROSOFT_SCOPES } from '../../providers/microsoft/oauth/microsoft-token-store.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import type { StateSigner } from '../../security/signed-state.ts';
import { completeConnection } from './complete-connection.ts';

/**
 * Connecting Outlook / Microsoft 365 (identity platform v2): `/start` sends the rep to the
 * authorize page with a signed state; `/callback` redeems the code at
 * `{MICROSOFT_LOGIN_URL}/{tenant}/oauth2/v2.0/token`, asks Graph `/me` which mailbox it is, stores
 * it with the refresh token sealed and schedules its first sync.
 */
interface Deps {
  config: Config;
  orm: Orm;
  box: SecretBox;
  signer: StateSigner;
  scheduleSync: (mailboxId: string) => Promise<void>;
}

const startQuery = z.object({ workspace: z.uuid(), email: z.email().optional() });
const callbackQuery = z.object({
  state: z.string().min(1),
  code: z.string().min(1).optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export function registerMicrosoftOAuthRoutes(app: FastifyInstance, deps: Deps): void {
  const redirectUri = new URL('/oauth/microsoft/callback', deps.config.http.publicUrl).toString();
  const authority = `${deps.config.microsoft.loginUrl.replace(/\/$/, '')}/${deps.config.microsoft.tenant}/oauth2/v2.0`;

  app.get('/oauth/microsoft/start', async (req, reply) => {
    const q = startQuery.safeParse(req.query);
    if (!q.success) {
      throw new MailroomError('INVALID_INPUT', 'workspace (uuid) is required; email is optional');
    }
    if (!(await deps.orm.em.fork().findOne(WorkspaceSchema, { id: q.data.workspace }))) {
      throw new NotFoundError(`workspace ${q.data.workspace} not found`);
    }
    const url = new URL(`${authority}/authorize`);
    url.search = new URLSearchParams({
      client_id: deps.config.microsoft.clientId ?? '',
      response_type: 'code',
      response_mode: 'query',
      redirect_uri: redirectUri,
      scope: MICROSOFT_SCOPES.join(' '),
      state: deps.signer.sign({
        workspaceId: q.data.workspace,
        provider: 'microsoft',
        loginHint: q.data.email ?? null,
      }),
      ...(q.data.email ? { login_hint: q.data.email } : {}),
    }).toString();
    return reply.redirect(url.toString(), 302);
  });

  app.get('/oauth/microsoft/callback', async (req) => {
    const q = callbackQuery.safeParse(req.query);
    if (!q.success) {
      throw new MailroomError('INVALID_INPUT', 'state and code are required');
    }
    const state = deps.signer.verify(q.data.state);
    if (state.provider !== 'microsoft') {
      throw new MailroomError('OAUTH_DENIED', 'state was issued for another provider');
    }
    if (q.data.error || !q.data.code) {
      throw new MailroomError(
        'OAUTH_DENIED',
        `Microsoft did not grant access (${q.data.error ?? 'no code'})`,
      );
    }
    const res = await fetch(`${authority}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: q.data.code,
        redirect_uri: redirectUri,
        scope: MICROSOFT_SCOPES.join(' '),
        client_id: deps.config.microsoft.clientId ?? '',
        ...(deps.config.microsoft.clientSecret
          ? { client_secret: deps.config.microsoft.clientSecret }
          : {}),
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const tokens = (await res.json().catch(() => null)) as {
      access_token?: string;
      refresh_token?: string;
    } | null;
    if (!res.ok || !tokens?.access_token) {
      throw new MailroomError('OAUTH_EXCHANGE_FAILED', 'Microsoft refused the authorization code');
    }
    if (!tokens.refresh_token) {
      throw new MailroomError(
        'OAUTH_NO_REFRESH_TOKEN',
        'Microsoft returned no refresh token (offline_access was not granted)',
      );
    }
    const accessToken = tokens.access_token;
    const graph = Client.initWithMiddleware({
      authProvider: { getAccessToken: () => Promise.resolve(accessToken) },
      baseUrl: deps.config.microsoft.graphUrl,
      customHosts: new Set([new URL(deps.config.microsoft.graphUrl).hostname]),
    });
    const me = (await graph.api('/me').select(['mail', 'userPrincipalName']).get()) as {
      mail?: string | null;
      userPrincipalName?: string;
    };
    return completeConnection(deps, {
      workspaceId: state.workspaceId,
      provider: 'microsoft',
      email: me.mail ?? me.userPrincipalName,
      refreshToken: tokens.refresh_token,
    });
  });
}
