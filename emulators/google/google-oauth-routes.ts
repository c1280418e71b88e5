import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pkceOf, type CodeRefusal } from '../shared/grants.ts';
import { one } from '../shared/query.ts';
import type { EmulatorAuth } from './emulator-auth.ts';
import { scopesFromParameter } from './google-scopes.ts';

/**
 * Google's OAuth 2.0 server as google-auth-library and the product's connect flow use it
 * (provider-apis.md §C): `POST /token` for the refresh_token and authorization_code grants, with
 * Google's `{error, error_description}` answers, `POST /revoke` (the token in the form body or the
 * query, as Google accepts both; the grant it belongs to ends, so a revoked refresh token is then
 * refused with `invalid_grant`), and `GET /o/oauth2/v2/auth`, where consent is
 * automatic. PKCE (RFC 7636) as Google applies it: a code issued for a `code_challenge` (method
 * `S256`, or `plain` when none is named) is redeemed only with the matching `code_verifier`.
 * Consent grants exactly the `scope` asked for (the emulator's defaults when none is); the tokens
 * inherit it and `/token` answers it in `scope`.
 * Form bodies need @fastify/formbody registered on the app.
 */
type Req = FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>;

/** Google's wording for each refused code exchange (all `400 invalid_grant`). */
const REFUSALS: Record<CodeRefusal, string> = {
  bad_code: 'Malformed auth code.',
  missing_verifier: 'Missing code verifier.',
  wrong_verifier: 'Invalid code verifier.',
  unexpected_verifier: 'code_verifier or verifier is not needed.',
};

export function registerGoogleOAuthRoutes(
  app: FastifyInstance,
  deps: {
    auth: EmulatorAuth;
    /** When set, `/token` refuses other client ids with 401 invalid_client. */
    clientId: string | undefined;
    /** Known users, oldest first: consent without a login_hint goes to the first. */
    users: () => string[];
  },
): void {
  const { auth } = deps;
  app.post('/token', async (req, reply) => {
    const body = req.body as Record<string, string | undefined>;
    if (deps.clientId && body['client_id'] !== deps.clientId) {
      return reply
        .code(401)
        .send({ error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (body['grant_type'] === 'refresh_token') {
      const result = auth.refresh(body['refresh_token'] ?? '');
      if (!result) {
        return reply.code(400).send({
          error: 'invalid_grant',
          error_description: 'Token has been expired or revoked.',
        });
      }
      return {
        access_token: result.accessToken,
        expires_in: auth.accessTokenTtlSeconds,
        scope: result.scopes.join(' '),
        token_type: 'Bearer',
      };
    }
    if (body['grant_type'] === 'authorization_code') {
      const redeemed = auth.redeemCode(
        body['code'] ?? '',
        body['redirect_uri'],
        body['code_verifier'],
      );
      if ('refused' in redeemed) {
        return reply
          .code(400)
          .send({ error: 'invalid_grant', error_description: REFUSALS[redeemed.refused] });
      }
      const { email, scopes } = redeemed;
      return {
        access_token: auth.issueAccessToken(email, scopes),
        refresh_token: auth.issueRefreshToken(email, scopes),
        expires_in: auth.accessTokenTtlSeconds,
        scope: scopes.join(' '),
        token_type: 'Bearer',
      };
    }
    return reply
      .code(400)
      .send({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' });
  });

  app.post('/revoke', async (req: Req, reply) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const token = body['token'] ?? one(req.query['token']);
    if (!token || !auth.revokeToken(token)) {
      return reply
        .code(400)
        .send({ error: 'invalid_token', error_description: 'Token expired or revoked' });
    }
    return {};
  });

  // Auto-consent: the user named by login_hint (or the only user) approves at once.
  app.get('/o/oauth2/v2/auth', async (req: Req, reply) => {
    const q = req.query;
    const redirectUri = one(q['redirect_uri']);
    if (!redirectUri || one(q['response_type']) !== 'code') {
      return reply
        .code(400)
        .send('invalid_request: redirect_uri and response_type=code are required');
    }
    const pkce = pkceOf(one(q['code_challenge']), one(q['code_challenge_method']));
    if (pkce === undefined) {
      return reply.code(400).send('invalid_request: Invalid code_challenge_method');
    }
    const hint = one(q['login_hint'])?.toLowerCase();
    const email = hint ?? deps.users()[0];
    if (!email) {
      return reply.code(400).send('no user to consent');
    }
    const target = new URL(redirectUri);
    const scopes = scopesFromParameter(one(q['scope']));
    target.searchParams.set('code', auth.issueCode(email, redirectUri, pkce, scopes));
    const state = one(q['state']);
    if (state !== undefined) {
      target.searchParams.set('state', state);
    }
    target.searchParams.set('scope', one(q['scope']) ?? '');
    return reply.redirect(target.toString(), 302);
  });
}
