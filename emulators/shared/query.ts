/**
 * Query-string values as Fastify parses them: one string, or an array when the parameter is
 * repeated (`labelIds=A&labelIds=B`).
 */
export type QueryValue = string | string[] | undefined;

/** The first value: what a parameter the API takes once means even when it is repeated. */
export const one = (v: QueryValue): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Every value of a repeatable parameter. */
export const asList = (v: QueryValue): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
