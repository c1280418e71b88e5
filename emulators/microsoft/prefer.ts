import type { FastifyRequest } from 'fastify';

/** Every `Prefer` header of the request as one comma-separated list (clients may send several). */
export const preferences = (req: FastifyRequest): string =>
  [req.headers.prefer ?? ''].flat().join(',');

/** `Prefer: odata.maxpagesize=N`: Graph's default page is 10 and it never serves more than 1000. */
export const maxPageSize = (prefer: string): number =>
  Math.min(Number(/odata\.maxpagesize=(\d+)/.exec(prefer)?.[1] ?? 10) || 10, 1000);
