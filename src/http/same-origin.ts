import type { FastifyRequest } from 'fastify';

/**
 * Whether a request comes from this site: no `Origin` header (not a cross-site browser request),
 * or the origin of `PUBLIC_URL` or of the `Host` it was sent to. Browsers send `Origin` with every
 * cross-site POST, PUT and DELETE, so refusing another origin there stops a page elsewhere from
 * using credentials the browser adds by itself (a cookie, HTTP Basic auth).
 */
export function sameOrigin(req: FastifyRequest, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) {
    return true;
  }
  const host = req.headers.host;
  const candidates = [
    new URL(publicUrl).origin,
    ...(host ? [`http://${host}`, `https://${host}`] : []),
  ];
  return candidates.includes(origin);
}
