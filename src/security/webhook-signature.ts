import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, product.md "Webhooks"): the
 * signature is `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the bytes the
 * base64 part of the `whsec_…` secret decodes to. Signing and verifying are the reference library's
 * (`standardwebhooks`), so our receivers' tests and the customers' receivers check the same thing;
 * verification compares in constant time and refuses timestamps more than 5 minutes off.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** 32 random bytes: the HMAC-SHA256 block-size guidance is "at least the hash length". */
const SECRET_BYTES = 32;

// A type alias, not an interface, so it is assignable to a plain header record.
export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** A `whsec_` secret whose base64 part decodes to at least 24 bytes (the shortest Svix issues). */
export function isWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    return false;
  }
  const b64 = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(b64) && Buffer.from(b64, 'base64').length >= 24;
}

/**
 * The three headers of one delivery attempt. `id` is the event id (the same on every retry, so
 * receivers can deduplicate); `at` is the attempt's time, signed as unix seconds.
 */
export function signWebhook(
  secret: string,
  id: string,
  at: Date,
  body: string,
): WebhookSignatureHeaders {
  if (!isWebhookSecret(secret)) {
    throw new WebhookSignatureError('webhook secret must be whsec_ followed by base64');
  }
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/**
 * Checks a received delivery as a receiver would (used by tests and the benchmark's receiver).
 * Throws WebhookSignatureError naming why: missing headers, a timestamp outside the tolerance, or
 * no matching `v1` signature.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  headers: Record<string, string | undefined>,
): void {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) {
      present[name] = value;
    }
  }
  try {
    new Webhook(secret).verify(body, present, { jsonParse: false });
  } catch (err) {
    if (err instanceof WebhookVerificationError) {
      throw new WebhookSignatureError(err.message);
    }
    throw err;
  }
}
