import { LRUCache } from 'lru-cache';
import type { SecretBox } from '../security/secret-box.ts';

/**
 * Opens webhook secrets once per sealed value rather than once per delivery (AES-GCM with a key
 * object each time shows in a delivery profile). Keyed by the sealed form, which `keys:rotate`
 * changes, so a re-sealed secret is opened anew; bounded, so a worker that serves many webhooks
 * over weeks keeps the recently used ones. The box is created on first use, so a worker without
 * webhooks never needs the key for them.
 */
export function openedSecrets(secretBox: () => SecretBox): (sealed: string) => string {
  const opened = new LRUCache<string, string>({ max: 10_000 });
  return (sealed) => {
    let secret = opened.get(sealed);
    if (secret === undefined) {
      secret = secretBox().open(sealed);
      opened.set(sealed, secret);
    }
    return secret;
  };
}
