import type { Logger } from '../logger.ts';
import type { OAuthConnector } from '../providers/oauth-connector.ts';
import type { SecretBox } from '../security/secret-box.ts';

/**
 * What became of a disconnected mailbox's grant at its provider: `revoked`; `unsupported` where
 * the provider offers no revocation (Microsoft); `failed` when the call failed (logged: the
 * disconnect goes on, the stored token is deleted all the same); `none` when there was no stored
 * token to revoke (already disconnected, or no revoker wired).
 */
export type GrantRevocation = 'revoked' | 'unsupported' | 'failed' | 'none';

export interface SealedGrant {
  id: string;
  provider: string;
  /** The sealed refresh token. */
  sealed: string;
}

export type RevokeGrant = (mailbox: SealedGrant) => Promise<GrantRevocation>;

/**
 * `disconnectMailbox`'s `revokeGrant` from the OAuth connectors: opens the sealed refresh token
 * and hands it to the mailbox's vendor. Never throws: a vendor that is down or refuses, or a key
 * that cannot open the token, is one warning line and `failed`, so the disconnect is never
 * blocked by the provider. `secretBox` is asked for only when there is a token to open (the CLI
 * then needs the encryption key only for a mailbox that still has one).
 */
export function grantRevoker(deps: {
  connectors: readonly OAuthConnector[];
  secretBox: () => SecretBox;
  log: Logger;
}): RevokeGrant {
  return async (mailbox) => {
    const connector = deps.connectors.find((c) => c.provider === mailbox.provider);
    if (connector === undefined) {
      return 'unsupported';
    }
    try {
      return await connector.revokeRefreshToken(deps.secretBox().open(mailbox.sealed));
    } catch (err) {
      deps.log.warn(
        { mailboxId: mailbox.id, provider: mailbox.provider, err: (err as Error).message },
        'could not revoke the mailbox grant at its provider; disconnecting anyway',
      );
      return 'failed';
    }
  };
}
