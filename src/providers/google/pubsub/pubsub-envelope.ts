import { z } from 'zod';

/** What a Gmail push says: which mailbox changed, and up to which history id. */
export interface GmailPush {
  emailAddress: string;
  historyId: string;
}

const envelope = z.object({
  message: z.object({ data: z.string().min(1).max(10_000) }),
});

const payload = z.object({
  emailAddress: z.string().trim().min(3).max(320),
  // The documented sample has a string; some producers send a number (provider-apis.md §A.7).
  historyId: z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]),
});

/**
 * Reads the Pub/Sub push envelope of a Gmail notification: `message.data` is base64 (or
 * base64url) JSON `{emailAddress, historyId}`. Anything else is null: the caller acknowledges it
 * and wakes nothing (a Pub/Sub message refused with a non-2xx would only come back).
 */
export function parseGmailPush(body: unknown): GmailPush | null {
  const outer = envelope.safeParse(body);
  if (!outer.success) {
    return null;
  }
  let decoded: unknown;
  try {
    // Buffer.from(…, 'base64') reads both alphabets and ignores padding.
    decoded = JSON.parse(Buffer.from(outer.data.message.data, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  const inner = payload.safeParse(decoded);
  if (!inner.success) {
    return null;
  }
  return {
    emailAddress: inner.data.emailAddress.toLowerCase(),
    historyId: String(inner.data.historyId),
  };
}
