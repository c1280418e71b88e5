import type { Command } from 'commander';
import { ConfigError } from '../../config.ts';
import { storeSealedCredentials } from '../../db/repositories/mailbox-token.repository.ts';
import { lockAllSealedSecrets } from '../../db/repositories/sealed-secret.repository.ts';
import {
  lockAllWebhookSecrets,
  storeSealedWebhookSecret,
} from '../../db/repositories/webhook.repository.ts';
import { SecretBoxError } from '../../security/secret-box.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';

/**
 * Re-seals every stored secret with `MAILROOM_ENCRYPTION_KEY`, opening each with that key or one of
 * `MAILROOM_ENCRYPTION_KEYS_OLD`; afterwards the old keys can be removed. All or nothing: one
 * transaction, and a secret no configured key opens changes nothing and fails with one line.
 */
export function registerKeysRotate(cmd: Command): void {
  cmd.action(async () => {
    const result = await withContext(({ orm, services }) => {
      const box = services.secretBox();
      return orm.em.fork().transactional(async (tx) => {
        // Mailbox refresh tokens and webhook signing secrets, each with where to write it back.
        const secrets = [
          ...(await lockAllSealedSecrets(tx)).map((s) => ({
            label: `mailbox ${s.mailboxId}`,
            sealed: s.sealed,
            store: (v: string) => storeSealedCredentials(tx, s.mailboxId, v),
          })),
          ...(await lockAllWebhookSecrets(tx)).map((s) => ({
            label: `webhook ${s.webhookId}`,
            sealed: s.sealed,
            store: (v: string) => storeSealedWebhookSecret(tx, s.webhookId, v),
          })),
        ];
        const unreadable: string[] = [];
        const resealed: { store: (v: string) => Promise<void>; sealed: string }[] = [];
        let alreadyCurrent = 0;
        for (const { label, sealed, store } of secrets) {
          let plaintext: string;
          try {
            plaintext = box.open(sealed);
          } catch (err) {
            if (!(err instanceof SecretBoxError)) {
              throw err;
            }
            unreadable.push(label);
            continue;
          }
          if (box.needsRotation(sealed)) {
            resealed.push({ store, sealed: box.seal(plaintext) });
          } else {
            alreadyCurrent++;
          }
        }
        if (unreadable.length > 0) {
          throw new ConfigError(
            `keys:rotate changed nothing: ${String(unreadable.length)} stored secret(s) cannot be opened with MAILROOM_ENCRYPTION_KEY or MAILROOM_ENCRYPTION_KEYS_OLD (${unreadable.join(', ')}); add the key that sealed them to MAILROOM_ENCRYPTION_KEYS_OLD`,
          );
        }
        for (const { store, sealed } of resealed) {
          await store(sealed);
        }
        return { resealed: resealed.length, alreadyCurrent };
      });
    });
    printResult(result);
  });
}
