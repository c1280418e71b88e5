import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyRequest } from 'fastify';

/**
 * The web views' session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on
 * cross-site subrequests, so another site cannot make the browser call the API with it), Secure
 * when PUBLIC_URL is https, for the whole origin (the pages under /app call /api/v1).
 */
export const SESSION_COOKIE = 'mailroom_session';

export function setSessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: token,
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(secure: boolean): string {
  return setSessionCookie('', 0, secure);
}

export function readSessionCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  const value = header ? parseCookie(header)[SESSION_COOKIE] : undefined;
  return value === '' ? undefined : value;
}
