import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyRequest } from 'fastify';
import type { MailProvider } from '../../db/entities/mailbox.entity.ts';

/**
 * The cookie that ties an OAuth attempt to the browser that started it (its nonce; see
 * security/oauth-flow-binding.ts). HttpOnly (no script reads it), SameSite=Lax (sent on the
 * provider's top-level redirect back to us, not on cross-site subrequests; Strict would drop it
 * on that redirect), Secure when PUBLIC_URL is https, scoped to the provider's callback path and
 * living as long as the state. One per provider, so connecting Google and Outlook in two tabs
 * works; a second attempt for the same provider replaces the first.
 */
const cookieName = (provider: MailProvider) => `mailroom_oauth_${provider}`;

interface CookieScope {
  provider: MailProvider;
  /** `/oauth/{provider}/callback`, from PUBLIC_URL. */
  callbackPath: string;
  secure: boolean;
}

export function setFlowCookie(scope: CookieScope, nonce: string, maxAgeSeconds: number): string {
  return stringifySetCookie({
    name: cookieName(scope.provider),
    value: nonce,
    path: scope.callbackPath,
    httpOnly: true,
    sameSite: 'lax',
    secure: scope.secure,
    maxAge: maxAgeSeconds,
  });
}

/** Expires the cookie: an attempt's nonce is good for one callback. */
export function clearFlowCookie(scope: CookieScope): string {
  return stringifySetCookie({
    name: cookieName(scope.provider),
    value: '',
    path: scope.callbackPath,
    httpOnly: true,
    sameSite: 'lax',
    secure: scope.secure,
    maxAge: 0,
  });
}

export function readFlowCookie(req: FastifyRequest, provider: MailProvider): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[cookieName(provider)] : undefined;
}
