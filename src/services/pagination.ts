import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';

/**
 * Keyset pagination for every list: `limit` (default 50, 1 to 200) and an opaque `cursor`, the
 * last item's sort key, base64url JSON. Never OFFSET: a page costs the same however deep, and rows
 * added meanwhile neither repeat nor vanish from the walk.
 */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .default(DEFAULT_LIMIT)
  .describe(`page size, 1 to ${String(MAX_LIMIT)} (default ${String(DEFAULT_LIMIT)})`);

export const cursorParam = z
  .string()
  .max(1000)
  .optional()
  .describe('the nextCursor of the previous page');

/** A sort key: the values the list is ordered by, last item's. */
export type CursorKey = readonly (string | number | null)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key inside a cursor, checked against its shape; a 400 naming `cursor` otherwise. */
export function decodeCursor<S extends z.ZodType>(
  cursor: string | undefined,
  shape: S,
): z.infer<S> | null {
  if (cursor === undefined) {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidInputError('cursor: not a cursor this API gave out');
  }
  const parsed = shape.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError('cursor: not a cursor this API gave out');
  }
  return parsed.data;
}

/** `{items, nextCursor}` from `limit + 1` fetched rows: the extra one says there is a next page. */
export function page<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (last: T) => CursorKey,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
