/**
 * Small helpers for the API read models' dynamic WHERE clauses: each filter adds its condition
 * and its parameters together, so `?` and params can never drift apart.
 */
export class Where {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  add(condition: string, ...params: unknown[]): this {
    this.conditions.push(condition);
    this.params.push(...params);
    return this;
  }

  get sql(): string {
    return this.conditions.join(' and ');
  }
}

/** A case-insensitive substring pattern for `like … escape '\'` (q's wildcards are literal). */
export function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
