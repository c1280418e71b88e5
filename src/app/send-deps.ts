import type { Services } from './services.ts';
import { createTrackingSigner } from '../tracking/tracking-token.ts';
import type { SendDeps } from '../sending/send-message.ts';

/**
 * What a send needs from the process's services. An outcome stays unknown for two provider
 * timeouts before a retry asks the provider (a request the provider is still working on must not
 * be mistaken for one that never arrived); an attempt whose process died is given up after
 * enough time for its every request (draft, send, the Sent Items lookups) to have timed out.
 */
export function createSendDeps(services: Services): SendDeps {
  const { config } = services;
  const timeoutMs = Math.max(config.google.requestTimeoutMs, config.microsoft.requestTimeoutMs);
  const [current, ...previous] = config.tracking.keys;
  return {
    em: services.orm.em.fork(),
    parsePool: services.parsePool(),
    senderFor: (mailbox) => services.providers().sender(mailbox),
    signer: current ? createTrackingSigner({ current, previous }) : null,
    publicUrl: config.http.publicUrl,
    reconcileAfterMs: 2 * timeoutMs,
    staleAfterMs: 8 * timeoutMs + 10_000,
  };
}
