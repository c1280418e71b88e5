import { gmail, type gmail_v1 } from '@googleapis/gmail';
import type { OAuth2Client } from 'google-auth-library';

/**
 * The Gmail client every Gmail adapter (source, sender, watch) uses: the client's own retries are
 * off (gaxios ignores Retry-After, so our policy decides, call-retry.ts), every request has a
 * timeout, connecting included, and the root can point at an emulator.
 */
export function createGmailApi(options: {
  auth: OAuth2Client;
  rootUrl: string | undefined;
  timeoutMs: number;
}): gmail_v1.Gmail {
  return gmail({
    version: 'v1',
    auth: options.auth,
    retry: false,
    timeout: options.timeoutMs,
    ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
  });
}
