import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  isWebhookSecret,
  signWebhook,
  verifyWebhook,
  WebhookSignatureError,
} from '../../src/security/webhook-signature.ts';

/**
 * The published Standard Webhooks test vector: standard-webhooks/standard-webhooks,
 * libraries/javascript/src/webhook.test.ts, "sign function works".
 */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

/** An independent implementation of the spec with node:crypto, to cross-check the library. */
function referenceSignature(secret: string, id: string, ts: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Standard Webhooks signing', () => {
  it('reproduces the published test vector', () => {
    const headers = signWebhook(
      VECTOR.secret,
      VECTOR.id,
      new Date(VECTOR.timestamp * 1000),
      VECTOR.body,
    );
    expect(headers).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
    });
    expect(referenceSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(
      VECTOR.signature,
    );
  });

  it('signs fresh secrets the way an independent implementation does, with non-ASCII bodies', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ id: 'evt_01', data: { subject: 'Grüße ✓' } });
    const at = new Date();
    const headers = signWebhook(secret, 'evt_01', at, body);
    expect(headers['webhook-signature']).toBe(
      referenceSignature(secret, 'evt_01', Math.floor(at.getTime() / 1000), body),
    );
    expect(() => {
      verifyWebhook(secret, body, headers);
    }).not.toThrow();
  });

  it('generates distinct whsec_ secrets of 32 random bytes', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).not.toBe(b);
    expect(isWebhookSecret(a)).toBe(true);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(isWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(false);
    expect(isWebhookSecret('whsec_short')).toBe(false);
    expect(() => signWebhook('not-a-secret', 'evt', new Date(), '{}')).toThrow(
      WebhookSignatureError,
    );
  });

  describe('verification refuses', () => {
    const secret = generateWebhookSecret();
    const body = '{"id":"evt_1","type":"email.bounced"}';
    const signedNow = () => signWebhook(secret, 'evt_1', new Date(), body);

    it('a tampered body', () => {
      expect(() => {
        verifyWebhook(secret, body.replace('bounced', 'replied'), signedNow());
      }).toThrow(/No matching signature/);
    });

    it('another id than the one signed', () => {
      expect(() => {
        verifyWebhook(secret, body, { ...signedNow(), 'webhook-id': 'evt_2' });
      }).toThrow(WebhookSignatureError);
    });

    it('the wrong secret', () => {
      expect(() => {
        verifyWebhook(generateWebhookSecret(), body, signedNow());
      }).toThrow(/No matching signature/);
    });

    it('a timestamp older or newer than the 5-minute tolerance, even correctly signed', () => {
      const old = signWebhook(secret, 'evt_1', new Date((nowSeconds() - 6 * 60) * 1000), body);
      expect(() => {
        verifyWebhook(secret, body, old);
      }).toThrow(/too old/);
      const future = signWebhook(secret, 'evt_1', new Date((nowSeconds() + 6 * 60) * 1000), body);
      expect(() => {
        verifyWebhook(secret, body, future);
      }).toThrow(/too new/);
    });

    it('missing headers', () => {
      expect(() => {
        verifyWebhook(secret, body, { ...signedNow(), 'webhook-signature': undefined });
      }).toThrow(/Missing required headers/);
    });
  });

  it('accepts one valid signature among several (secret rotation), headers in any case', () => {
    const secret = generateWebhookSecret();
    const body = '{}';
    const signed = signWebhook(secret, 'evt_9', new Date(), body);
    expect(() => {
      verifyWebhook(secret, body, {
        'Webhook-Id': signed['webhook-id'],
        'Webhook-Timestamp': signed['webhook-timestamp'],
        'Webhook-Signature': `v1,AAAA ${signed['webhook-signature']}`,
      });
    }).not.toThrow();
  });
});
