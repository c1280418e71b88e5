import { decodeOpaque, encodeOpaque } from '../shared/opaque-token.ts';

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

export const encodeToken = (state: DeltaState): string => encodeOpaque(state);

export const decodeToken = (token: string): DeltaState | null =>
  decodeOpaque<DeltaState>(
    token,
    (state) => typeof state.folderId === 'string' && Array.isArray(state.select),
  );
