/**
 * Page, sync and delta tokens of the emulators: JSON in base64url. Clients must treat them as
 * opaque, as they must with the real ones; the emulators read their own state back out of them.
 */
export const encodeOpaque = (state: object): string =>
  Buffer.from(JSON.stringify(state)).toString('base64url');

/** The state inside a token, or null when it is not one of ours (or `accept` refuses it). */
export function decodeOpaque<T>(token: string, accept: (state: Partial<T>) => boolean): T | null {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString()) as Partial<T>;
    // A token that decodes to null or a scalar makes `accept` throw: not one of ours either.
    return accept(state) ? (state as T) : null;
  } catch {
    return null;
  }
}
