import { z } from 'zod';
import { TokenSigner } from './signed-token.ts';

/**
 * The connect link's token: who may attach a mailbox to which workspace, through which provider,
 * until when. Whoever holds an unexpired link can start that one connection (it is a bearer
 * capability, handed to the rep who connects), so links are short-lived; `/oauth/{provider}/start`
 * refuses to start without one. Issued by `mailbox:connect-url` and `GET /api/v1/connect/{provider}`.
 */
const linkClaims = z.object({
  workspaceId: z.string(),
  provider: z.enum(['google', 'microsoft']),
  loginHint: z.string().nullable(),
});

export type ConnectLinkClaims = z.infer<typeof linkClaims>;

export class ConnectLinkSigner {
  private readonly signer: TokenSigner<ConnectLinkClaims>;

  constructor(encryptionKeyBase64: string) {
    this.signer = new TokenSigner(encryptionKeyBase64, 'connect link', linkClaims);
  }

  sign(claims: ConnectLinkClaims, ttlMs: number, now = Date.now()) {
    return this.signer.sign(claims, ttlMs, now);
  }

  /** The claims; throws SignedTokenError when the link is malformed, forged or expired. */
  verify(token: string, now = Date.now()): ConnectLinkClaims & { expiresAt: number } {
    return this.signer.verify(token, now);
  }
}
