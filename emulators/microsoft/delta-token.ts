/**
 * Delta and skip tokens of the Graph emulator: opaque base64url JSON carrying the folder, the
 * `$select` of the first call (Graph keeps it inside the token) and a position in the mailbox's
 * change log.
 */
export interface DeltaState {
  folderId: string;
  select: string[];
  /** Initial round: list the folder as of `snapshot`. Delta round: changes after `since`. */
  mode: 'initial' | 'delta';
  since: number;
  snapshot: number;
  offset: number;
  generation: number;
}

export const encodeToken = (state: DeltaState): string =>
  Buffer.from(JSON.stringify(state)).toString('base64url');

export function decodeToken(token: string): DeltaState | null {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString()) as DeltaState;
    return typeof state.folderId === 'string' && Array.isArray(state.select) ? state : null;
  } catch {
    return null;
  }
}
