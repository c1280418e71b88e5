import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HitRecorder } from '../engagement/record-hit.ts';
import type { TrackingKind } from '../tracking/tracking-token.ts';
import { redirectLocation } from '../tracking/redirect-location.ts';

/**
 * The public tracking endpoints (product.md, "Sending and tracking"): no authentication, no
 * provider call, one indexed lookup per hit, its writes batched with concurrent hits (record-hit.ts).
 *
 * - `GET|HEAD /t/o/:token`: always 200 `image/gif` (a 1×1 transparent GIF), `no-store`, whatever
 *   the token: a tampered or unknown one records nothing, and a failure to store a hit is logged,
 *   never shown as a broken image.
 * - `GET|HEAD /t/c/:token`: 302 to exactly the URL stored with the token (never one taken from
 *   the request, so never an open redirect); a tampered or unknown token is a 404.
 *
 * Requests are bounded: no body is read (`bodyLimit` 1 byte), the token's length is capped by the
 * router's parameter limit and its syntax by the signer, the user agent is cut before storing.
 */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

interface Deps {
  recorder: HitRecorder;
}

const hitOf = (req: FastifyRequest<{ Params: { token: string } }>, kind: TrackingKind) => ({
  kind,
  token: req.params.token,
  method: req.method,
  userAgent: req.headers['user-agent'],
  socketAddress: req.socket.remoteAddress,
  forwardedFor: req.headers['x-forwarded-for'],
});

function pixel(reply: FastifyReply): FastifyReply {
  return reply
    .code(200)
    .header('content-type', 'image/gif')
    .header('cache-control', 'no-store')
    .header('content-length', GIF.length)
    .send(GIF);
}

export function registerTrackingRoutes(app: FastifyInstance, deps: Deps): void {
  const routeOptions = { bodyLimit: 1 } as const;

  app.route<{ Params: { token: string } }>({
    ...routeOptions,
    method: ['GET', 'HEAD'],
    url: '/t/o/:token',
    handler: async (req, reply) => {
      try {
        await deps.recorder.record(hitOf(req, 'open'));
      } catch (err) {
        req.log.error({ err }, 'tracking pixel hit not stored');
      }
      return pixel(reply);
    },
  });

  app.route<{ Params: { token: string } }>({
    ...routeOptions,
    method: ['GET', 'HEAD'],
    url: '/t/c/:token',
    handler: async (req, reply) => {
      const outcome = await deps.recorder.record(hitOf(req, 'click'));
      reply.header('cache-control', 'no-store');
      if (outcome.url === null) {
        return reply
          .code(404)
          .send({ error: { code: 'NOT_FOUND', message: 'unknown tracking link' } });
      }
      return reply.code(302).header('location', redirectLocation(outcome.url)).send();
    },
  });
}
