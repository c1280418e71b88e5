import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * OAuth `state`: a payload (workspace, user hint, provider, expiry, nonce) signed with HMAC-SHA256
 * under a key derived (HKDF) from the encryption key, so it needs no extra secret and cannot be
 * forged, replayed after expiry, or moved to another workspace.
 */
export interface StatePayload {
  workspaceId: string;
  provider: 'google' | 'microsoft';
  loginHint: string | null;
  expiresAt: number;
  nonce: string;
}

export class StateError extends Error {
  override readonly name = 'StateError';
}

export class StateSigner {
  private readonly key: Buffer;

  constructor(encryptionKeyBase64: string) {
    this.key = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(encryptionKeyBase64, 'base64'),
        '',
        'mailroom oauth state v1',
        32,
      ),
    );
  }

  sign(
    payload: Omit<StatePayload, 'nonce' | 'expiresAt'>,
    ttlMs = 10 * 60_000,
    now = Date.now(),
  ): string {
    const full: StatePayload = {
      ...payload,
      expiresAt: now + ttlMs,
      nonce: randomBytes(12).toString('base64url'),
    };
    const body = Buffer.from(JSON.stringify(full)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  verify(state: string, now = Date.now()): StatePayload {
    const [body, mac] = state.split('.');
    if (!body || !mac) {
      throw new StateError('malformed state');
    }
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new StateError('state signature does not match');
    }
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as StatePayload;
    if (payload.expiresAt < now) {
      throw new StateError('state has expired; start the connection again');
    }
    return payload;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
