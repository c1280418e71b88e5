import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pkceOf, type CodeRefusal } from '../shared/grants.ts';
import { aadError } from './graph-errors.ts';
import type { MsIdentity } from './ms-identity.ts';

/**
 * The Microsoft identity platform's v2.0 endpoints as the product's token code and connect flow
 * use them (provider-apis.md §D.7): `POST /{tenant}/oauth2/v2.0/token` (refresh_token with
 * rotation, authorization_code) answering in AADSTS envelopes, and
 * `GET /{tenant}/oauth2/v2.0/authorize`, where consent is automatic and grants the requested `scope`
 * (which the tokens inherit and /token answers). PKCE (RFC 7636): a code
 * issued for a `code_challenge` is redeemed only with the matching `code_verifier` (AADSTS501481
 * otherwise, as Entra answers). Form bodies need @fastify/formbody registered on the app.
 */
type Req = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

const PKCE_MISMATCH = [
  501481,
  'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
] as const;

/** Entra's AADSTS code and wording for each refused code exchange (all `400 invalid_grant`). */
const REFUSALS: Record<CodeRefusal, readonly [number, string]> = {
  bad_code: [70000, 'The provided value for the code parameter is not valid.'],
  missing_verifier: PKCE_MISMATCH,
  wrong_verifier: PKCE_MISMATCH,
  // UNVERIFIED against Entra, which documents the verifier as required only after a challenge;
  // the emulator refuses the mix-up so a client that sends one without the other is caught.
  unexpected_verifier: [
    50148,
    'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
  ],
};

export function registerMsIdentityRoutes(
  app: FastifyInstance,
  deps: {
    identity: MsIdentity;
    /** Known mailboxes, oldest first: consent without a login_hint goes to the first. */
    users: () => string[];
  },
): void {
  const { identity } = deps;
  app.post('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    await identity.tokenGate();
    const body = req.body as Record<string, string | undefined>;
    if (body['grant_type'] === 'refresh_token') {
      const result = identity.refresh(body['refresh_token'] ?? '');
      if (!result) {
        return reply
          .code(400)
          .send(
            aadError(
              'invalid_grant',
              70008,
              'The provided authorization code or refresh token has expired due to inactivity.',
            ),
          );
      }
      return reply.send({
        token_type: 'Bearer',
        scope: result.scopes.join(' '),
        expires_in: identity.accessTokenTtlSeconds,
        ext_expires_in: identity.accessTokenTtlSeconds,
        access_token: result.accessToken,
        refresh_token: result.refreshToken,
      });
    }
    if (body['grant_type'] === 'authorization_code') {
      const redeemed = identity.redeemCode(
        body['code'] ?? '',
        body['redirect_uri'],
        body['code_verifier'],
      );
      if ('refused' in redeemed) {
        const [code, description] = REFUSALS[redeemed.refused];
        return reply.code(400).send(aadError('invalid_grant', code, description));
      }
      const { email, scopes } = redeemed;
      return reply.send({
        token_type: 'Bearer',
        scope: scopes.join(' '),
        expires_in: identity.accessTokenTtlSeconds,
        ext_expires_in: identity.accessTokenTtlSeconds,
        access_token: identity.issueAccessToken(email, scopes),
        refresh_token: identity.issueRefreshToken(email, scopes),
      });
    }
    return reply
      .code(400)
      .send(
        aadError('unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'),
      );
  });

  app.get('/:tenant/oauth2/v2.0/authorize', (req: Req, reply) => {
    const redirectUri = req.query['redirect_uri'];
    const email = req.query['login_hint']?.toLowerCase() ?? deps.users()[0];
    if (!redirectUri || !email) {
      return reply.code(400).send('redirect_uri and a user are required');
    }
    const pkce = pkceOf(req.query['code_challenge'], req.query['code_challenge_method']);
    if (pkce === undefined) {
      return reply.code(400).send('invalid_request: unsupported code_challenge_method');
    }
    // Consent grants exactly what was asked for; the tokens of the grant inherit it.
    const requested = (req.query['scope'] ?? '').split(/\s+/).filter(Boolean);
    const scopes = requested.length > 0 ? requested : identity.defaultScopes;
    const target = new URL(redirectUri);
    target.searchParams.set('code', identity.issueCode(email, redirectUri, pkce, scopes));
    if (req.query['state'] !== undefined) {
      target.searchParams.set('state', req.query['state']);
    }
    return reply.redirect(target.toString(), 302);
  });
}
