import type { z } from 'zod';
import { queryRows, type Db } from './sql.ts';

/**
 * The one place API reads reach SQL. An API request holds a `WorkspaceScope` (its key's
 * workspace), never an EntityManager, and a statement run through it must name the workspace with
 * the `:workspace` placeholder, which the scope binds to its own id. A statement without it is
 * refused before it reaches the database, so an API query cannot forget its tenant; the tenancy
 * test walks every route with another workspace's ids on top of that.
 *
 * Placeholders: `?` binds the next of `params` in order, `:workspace` the scope's workspace (as many
 * times as needed). Write `jsonb_exists(a, b)` rather than the `?` operator.
 */
export interface WorkspaceScope {
  readonly workspaceId: string;
  rows<S extends z.ZodType>(
    row: S,
    sql: string,
    params?: readonly unknown[],
  ): Promise<z.infer<S>[]>;
  row<S extends z.ZodType>(
    row: S,
    sql: string,
    params?: readonly unknown[],
  ): Promise<z.infer<S> | null>;
  /** The same scope in a transaction: `fn` runs its statements atomically. */
  transaction<T>(fn: (scope: WorkspaceScope) => Promise<T>): Promise<T>;
}

/** A statement for `db` with the workspace placeholder bound; throws when there is none. */
export function bindWorkspace(
  workspaceId: string,
  sql: string,
  params: readonly unknown[],
): { sql: string; params: unknown[] } {
  const bound: unknown[] = [];
  let next = 0;
  let scoped = false as boolean;
  const text = sql.replace(/\?|:workspace\b/g, (token) => {
    if (token === '?') {
      if (next >= params.length) {
        throw new Error(`scoped statement has more ? than its ${String(params.length)} params`);
      }
      bound.push(params[next++]);
    } else {
      scoped = true;
      bound.push(workspaceId);
    }
    return '?';
  });
  if (!scoped) {
    throw new Error('an API statement must be scoped to its workspace (:workspace)');
  }
  if (next !== params.length) {
    throw new Error(`scoped statement has ${String(next)} ? for ${String(params.length)} params`);
  }
  return { sql: text, params: bound };
}

export interface ScopeDb extends Db {
  transactional<T>(fn: (tx: ScopeDb) => Promise<T>): Promise<T>;
}

export function workspaceScope(db: ScopeDb, workspaceId: string): WorkspaceScope {
  const scope: WorkspaceScope = {
    workspaceId,
    async rows(row, sql, params = []) {
      const q = bindWorkspace(workspaceId, sql, params);
      return queryRows(db, row, q.sql, q.params);
    },
    async row(row, sql, params = []) {
      return (await scope.rows(row, sql, params))[0] ?? null;
    },
    transaction: (fn) => db.transactional((tx) => fn(workspaceScope(tx, workspaceId))),
  };
  return scope;
}
