import { gmail } from '@googleapis/gmail';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { WorkspaceSchema } from '../../db/entities/workspace.entity.ts';
import type { Orm } from '../../db/orm.ts';
import { MailroomError, NotFoundError } from '../../errors.ts';
import {
  createGoogleOAuthClient,
  GOOGLE_SCOPES,
} from '../../providers/google/oauth/google-oauth-client.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import type { StateSigner } from '../../security/signed-state.ts';
import { completeConnection } from './complete-connection.ts';

/**
 * Connecting Gmail: `/start` sends the rep to Google's consent page (offline access, consent
 * prompt, signed state naming the workspace); `/callback` exchanges the code, learns the address
 * from the Gmail profile, stores the mailbox with its refresh token sealed (a reconnect replaces
 * it and clears `reauth_required`) and schedules the first sync.
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
});

export function registerGoogleOAuthRoutes(app: FastifyInstance, deps: Deps): void {
  const redirectUri = new URL('/oauth/google/callback', deps.config.http.publicUrl).toString();

  app.get('/oauth/google/start', async (req, reply) => {
    const q = startQuery.safeParse(req.query);
    if (!q.success) {
      throw new MailroomError('INVALID_INPUT', 'workspace (uuid) is required; email is optional');
    }
    if (!(await deps.orm.em.fork().findOne(WorkspaceSchema, { id: q.data.workspace }))) {
      throw new NotFoundError(`workspace ${q.data.workspace} not found`);
    }
    const state = deps.signer.sign({
      workspaceId: q.data.workspace,
      provider: 'google',
      loginHint: q.data.email ?? null,
    });
    const url = createGoogleOAuthClient(deps.config, redirectUri).generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: true,
      scope: GOOGLE_SCOPES,
      state,
      ...(q.data.email ? { login_hint: q.data.email } : {}),
    });
    return reply.redirect(url, 302);
  });

  app.get('/oauth/google/callback', async (req) => {
    const q = callbackQuery.safeParse(req.query);
    if (!q.success) {
      throw new MailroomError('INVALID_INPUT', 'state and code are required');
    }
    const state = deps.signer.verify(q.data.state);
    if (state.provider !== 'google') {
      throw new MailroomError('OAUTH_DENIED', 'state was issued for another provider');
    }
    if (q.data.error || !q.data.code) {
      throw new MailroomError(
        'OAUTH_DENIED',
        `Google did not grant access (${q.data.error ?? 'no code'})`,
      );
    }
    const client = createGoogleOAuthClient(deps.config, redirectUri);
    let tokens;
    try {
      ({ tokens } = await client.getToken({ code: q.data.code, redirect_uri: redirectUri }));
    } catch {
      throw new MailroomError('OAUTH_EXCHANGE_FAILED', 'Google refused the authorization code');
    }
    if (!tokens.refresh_token) {
      throw new MailroomError(
        'OAUTH_NO_REFRESH_TOKEN',
        'Google returned no refresh token; remove Mailroom in your Google account settings and connect again',
      );
    }
    client.setCredentials(tokens);
    const api = gmail({
      version: 'v1',
      auth: client,
      ...(deps.config.google.apiRootUrl ? { rootUrl: deps.config.google.apiRootUrl } : {}),
    });
    const profile = await api.users.getProfile({ userId: 'me' });
    return completeConnection(deps, {
      workspaceId: state.workspaceId,
      provider: 'google',
      email: profile.data.emailAddress ?? undefined,
      refreshToken: tokens.refresh_token,
    });
  });
}
