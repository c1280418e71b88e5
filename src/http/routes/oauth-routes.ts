import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Orm } from '../../db/orm.ts';
import { findWorkspace } from '../../db/repositories/workspace.repository.ts';
import { MailroomError, NotFoundError } from '../../errors.ts';
import type { OAuthConnector } from '../../providers/oauth-connector.ts';
import { ConnectLinkSigner, type ConnectLinkClaims } from '../../security/connect-link.ts';
import { OAuthFlowBinding } from '../../security/oauth-flow-binding.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import { STATE_TTL_MS, type StateSigner } from '../../security/signed-state.ts';
import { SignedTokenError } from '../../security/signed-token.ts';
import { completeConnection } from './complete-connection.ts';
import { clearFlowCookie, readFlowCookie, setFlowCookie } from './oauth-flow-cookie.ts';

/**
 * Connecting a mailbox, the same for every provider:
 *
 * - `/oauth/{provider}/start?link=…` needs a connect link (`mailbox:connect-url`: signed, expiring,
 *   naming workspace and provider), since whoever starts a connection chooses the workspace the
 *   mailbox joins. It sets the flow cookie and sends the rep to the provider's consent page with a
 *   signed state (workspace, provider, hash of the cookie's nonce) and a PKCE challenge.
 * - `/oauth/{provider}/callback` checks the state, then that this browser holds the cookie the
 *   state names (else nothing is exchanged or stored), clears it, lets the connector exchange the
 *   code with the PKCE verifier, stores the mailbox with its refresh token sealed (a reconnect
 *   replaces it and clears `reauth_required`) and schedules its first sync.
 */
interface Deps {
  config: Config;
  orm: Orm;
  box: SecretBox;
  signer: StateSigner;
  /** The deployment's key: the connect link and the PKCE verifier each derive their own from it. */
  encryptionKey: string;
  scheduleSync: (mailboxId: string) => Promise<void>;
  connectors: readonly OAuthConnector[];
}

const startQuery = z.object({ link: z.string().min(1) });
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

/** The connect link's claims, or 401 without a link and 403 for a bad, expired or other one. */
function verifyLink(
  links: ConnectLinkSigner,
  query: unknown,
  connector: OAuthConnector,
): ConnectLinkClaims {
  const q = startQuery.safeParse(query);
  if (!q.success) {
    throw new MailroomError(
      'UNAUTHENTICATED',
      `connecting a mailbox needs a connect link: create one with \`mailbox:connect-url --workspace W --provider ${connector.provider}\``,
    );
  }
  let claims: ConnectLinkClaims;
  try {
    claims = links.verify(q.data.link);
  } catch (err) {
    if (!(err instanceof SignedTokenError)) {
      throw err;
    }
    throw new MailroomError(
      'CONNECT_LINK_INVALID',
      err.problem === 'expired'
        ? 'this connect link has expired: ask for a new one'
        : 'this connect link is not valid',
    );
  }
  if (claims.provider !== connector.provider) {
    throw new MailroomError(
      'CONNECT_LINK_INVALID',
      `this connect link is for ${claims.provider}, not ${connector.provider}`,
    );
  }
  return claims;
}

export function registerOAuthRoutes(app: FastifyInstance, deps: Deps): void {
  const links = new ConnectLinkSigner(deps.encryptionKey);
  const binding = new OAuthFlowBinding(deps.encryptionKey);
  for (const connector of deps.connectors) {
    registerConnector(app, deps, { links, binding }, connector);
  }
}

function registerConnector(
  app: FastifyInstance,
  deps: Deps,
  { links, binding }: { links: ConnectLinkSigner; binding: OAuthFlowBinding },
  connector: OAuthConnector,
): void {
  const { provider } = connector;
  const redirect = new URL(`/oauth/${provider}/callback`, deps.config.http.publicUrl);
  const redirectUri = redirect.toString();
  const cookie = {
    provider,
    callbackPath: redirect.pathname,
    secure: redirect.protocol === 'https:',
  };

  app.get(`/oauth/${provider}/start`, async (req, reply) => {
    assertConfigured(deps.config, connector);
    const claims = verifyLink(links, req.query, connector);
    if (!(await findWorkspace(deps.orm.em.fork(), claims.workspaceId))) {
      throw new NotFoundError(`workspace ${claims.workspaceId} not found`);
    }
    const flow = binding.begin();
    const { loginHint } = claims;
    const state = deps.signer.sign({
      workspaceId: claims.workspaceId,
      provider,
      loginHint,
      nonceHash: flow.nonceHash,
    });
    void reply.header('set-cookie', setFlowCookie(cookie, flow.nonce, STATE_TTL_MS / 1000));
    void reply.header('cache-control', 'no-store');
    const consent = connector.authorizationUrl({
      redirectUri,
      state,
      loginHint,
      codeChallenge: flow.codeChallenge,
    });
    return reply.redirect(consent, 302);
  });

  app.get(`/oauth/${provider}/callback`, async (req, reply) => {
    assertConfigured(deps.config, connector);
    const q = callbackQuery.safeParse(req.query);
    if (!q.success) {
      throw new MailroomError('INVALID_INPUT', 'state and code are required');
    }
    const state = deps.signer.verify(q.data.state);
    if (state.provider !== provider) {
      throw new MailroomError('OAUTH_DENIED', 'state was issued for another provider');
    }
    const flow = binding.resume(readFlowCookie(req, provider), state.nonceHash);
    if (!flow) {
      // Another browser's cookie stays: it belongs to an attempt still in progress there.
      throw new MailroomError(
        'OAUTH_BROWSER_MISMATCH',
        'this connection was started in another browser, or took too long: open the connect link again',
      );
    }
    // The attempt is spent, whatever happens next: its nonce is good for one callback.
    void reply.header('set-cookie', clearFlowCookie(cookie));
    void reply.header('cache-control', 'no-store');
    if (q.data.error || !q.data.code) {
      throw new MailroomError(
        'OAUTH_DENIED',
        `${connector.vendor} did not grant access (${q.data.error ?? 'no code'})`,
      );
    }
    const grant = await connector.exchangeCode({
      code: q.data.code,
      redirectUri,
      codeVerifier: flow.codeVerifier,
    });
    return completeConnection(deps, {
      workspaceId: state.workspaceId,
      provider,
      email: grant.email,
      refreshToken: grant.refreshToken,
    });
  });
}
