import { z } from 'zod';

/** The API's error body (product.md): `{"error":{"code","message"}}`. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** The error responses every authenticated operation declares, besides its own. */
export const commonErrors = {
  400: errorBodySchema.describe('a parameter is invalid; the message names it'),
  401: errorBodySchema.describe('no valid API key (or web session)'),
  403: errorBodySchema.describe(
    'made with the web session cookie but without its CSRF token (x-csrf-token)',
  ),
  429: errorBodySchema.describe('rate limited; Retry-After says when to try again'),
} as const;

export const notFound = { 404: errorBodySchema.describe('no such id in the key’s workspace') };

export const idParams = z.object({ id: z.uuid().describe('an id of the key’s workspace') });

/** A list page: `{"items":[...],"nextCursor":null|"..."}`. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const conflict = {
  409: errorBodySchema.describe('the resource is not in a state that allows this'),
};

export const unavailable = {
  503: errorBodySchema.describe('the queue (Redis) is unavailable; try again later'),
};
