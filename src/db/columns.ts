import { z } from 'zod';

/**
 * Column values as the driver returns them, for the row schemas of hand-written SQL. MikroORM's
 * PostgreSQL connection hands timestamps over as strings; a Date is accepted too, so a row schema
 * does not depend on that setting.
 */
export const timestamptz = z.union([z.string(), z.date()]).transform((v) => new Date(v));

/** `count(*)` is a bigint, which the driver returns as a string. */
export const bigintCount = z.union([z.string(), z.number()]).transform((v) => Number(v));

/** A timestamp the driver returned as text, as an ISO 8601 instant in UTC; null stays null. */
export const isoOrNull = (t: string | null): string | null =>
  t ? new Date(t).toISOString() : null;
