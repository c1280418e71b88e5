import { z } from 'zod';
import { SignedTokenError, TokenSigner } from './signed-token.ts';

/**
 * OAuth `state`: the workspace, provider and login hint of one connection attempt, plus the hash
 * of the nonce kept in the starting browser's cookie (oauth-flow-binding.ts), signed and expiring.
 * It cannot be forged, replayed after expiry, moved to another workspace or provider, or completed
 * in a browser that does not hold the matching cookie.
 */
const statePayload = z.object({
  workspaceId: z.string(),
  provider: z.enum(['google', 'microsoft']),
  loginHint: z.string().nullable(),
  nonceHash: z.string(),
});

export type StatePayload = z.infer<typeof statePayload> & { expiresAt: number };

/** How long a rep has between the start URL and the provider's redirect back. */
export const STATE_TTL_MS = 10 * 60_000;

export class StateError extends Error {
  override readonly name = 'StateError';
}

export class StateSigner {
  private readonly signer: TokenSigner<z.infer<typeof statePayload>>;

  constructor(encryptionKeyBase64: string) {
    this.signer = new TokenSigner(encryptionKeyBase64, 'oauth state', statePayload);
  }

  sign(payload: z.infer<typeof statePayload>, ttlMs = STATE_TTL_MS, now = Date.now()): string {
    return this.signer.sign(payload, ttlMs, now).token;
  }

  verify(state: string, now = Date.now()): StatePayload {
    try {
      return this.signer.verify(state, now);
    } catch (err) {
      if (err instanceof SignedTokenError && err.problem === 'expired') {
        throw new StateError('oauth state has expired; start the connection again');
      }
      throw err instanceof SignedTokenError ? new StateError(err.message) : err;
    }
  }
}
