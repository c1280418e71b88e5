import type { FastifyInstance } from 'fastify';

/**
 * What the request log may say about a URL. The OAuth routes carry credentials in their query
 * (the callback's one-time `code`, the signed `state`, the rep's address as a login hint), so
 * under `/oauth/` every query value is replaced, except the few that only help debugging: the
 * workspace id and the provider's `error` code. Names stay, so the log still shows what was sent.
 */
export const REDACTED = '[redacted]';

const SENSITIVE_PREFIX = '/oauth/';
const KEPT_PARAMS: ReadonlySet<string> = new Set(['workspace', 'error']);

function isSensitivePath(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: judge the raw path.
  }
  // Fail closed on spellings the router might not match but the log would still print.
  return `${decoded.replace(/\/{2,}/g, '/').toLowerCase()}/`.startsWith(SENSITIVE_PREFIX);
}

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || !isSensitivePath(url.slice(0, q))) {
    return url;
  }
  const query = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      return KEPT_PARAMS.has(name) ? part : `${name}=${REDACTED}`;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
}

/** Fastify's own `req` serializer (same fields), with the URL redacted. */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * Fastify's default 404 answer, whose log line ("Route GET:<url> not found") would otherwise print
 * the URL unredacted.
 */
export function registerNotFoundHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    req.log.info(`Route ${req.method}:${redactUrl(req.url)} not found`);
    return reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `Route ${req.method}:${redactUrl(req.url)} not found` },
    });
  });
}
