import { ProviderError } from './provider-error.ts';

/**
 * The narrow port a mail provider adapter implements for sending, beside MailSource. Mailroom
 * builds the whole MIME message itself (one builder for both providers, so tracking and threading
 * headers are the same everywhere); the adapter hands it to the provider and says which message
 * the provider made of it.
 *
 * Sending is not idempotent at any provider (a POST that timed out may or may not have sent), so
 * an adapter never retries a send in place after the request may have left; it reports progress
 * (a Graph draft) and, when the outcome was unknown, `reconcile` asks the provider whether the
 * message exists before anything is sent again. Methods throw ProviderError.
 */
export interface OutgoingMessage {
  /** The RFC 5322 message as built (MailComposer), Bcc header included. */
  raw: Buffer;
  /** Mailroom's id for this send, also in the `X-Mailroom-Send-Id` header: how reconcile finds it. */
  sendId: string;
  /** The Message-ID Mailroom wrote (Gmail replaces it; read the real one from the result). */
  internetMessageId: string;
  subject: string;
  html: string | null;
  text: string | null;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  /** For a reply: the stored message replied to, as the provider knows it. */
  replyTo: { providerMessageId: string; providerThreadId: string | null } | null;
}

export interface Recipient {
  email: string;
  name?: string | undefined;
}

export interface SentMessage {
  /**
   * The sender's own copy (Gmail's message id; Graph's Sent Items copy), or null when the
   * provider accepted the message but its copy is not visible yet (the next sync adopts it).
   */
  providerMessageId: string | null;
  providerThreadId: string | null;
  /** The Message-ID the recipients see, as the provider reports it. */
  internetMessageId: string;
}

/** What an adapter learned before the send itself (a Graph draft), kept across attempts. */
export interface SendProgress {
  draftId?: string;
  internetMessageId?: string;
}

export interface MailSender {
  /**
   * Sends once. `checkpoint` is awaited with each step's progress before the next request goes
   * out, so an attempt that dies later can be reconciled.
   */
  send(
    message: OutgoingMessage,
    checkpoint: (p: SendProgress) => Promise<void>,
  ): Promise<SentMessage>;
  /**
   * After an attempt whose outcome is unknown: the message if the provider has it (finishing a
   * Graph draft that was never sent), or null when the provider has no trace of it and sending
   * again cannot make a second copy.
   */
  reconcile(
    message: OutgoingMessage,
    progress: SendProgress,
    since: Date,
  ): Promise<SentMessage | null>;
}

/**
 * A failure after the provider accepted the message (reading its copy back): whatever it was, the
 * message is sent, so it must never be reported as a refusal (a retry would send it again). It
 * is TRANSIENT, an unknown outcome, which a retry settles by reconciling.
 */
export function sentButUnconfirmed(err: unknown): ProviderError {
  const reason = err instanceof Error ? err.message : String(err);
  return new ProviderError('TRANSIENT', `sent, but its copy could not be read back: ${reason}`, {
    cause: err,
  });
}
