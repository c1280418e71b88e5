import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque tracking tokens for the open pixel and click redirects.
 *
 * Payload (18 bytes): key id (1 byte) + kind (1 byte, 0x01 open / 0x02 click) + 16 random bytes.
 * Token: `base64url(payload) + "." + base64url(HMAC-SHA256(key, payload)[0..16])`.
 *
 * Nothing readable is inside: no address, Message-ID or URL. The random part (`tokenId`) is the
 * lookup key of a stored row that maps it to the email, the recipient and the link. The key id lets
 * keys rotate: a new `current` key mints, old keys listed in `previous` still verify mail already
 * sent. The kind is signed, so an open token can never be replayed as a click token. Anything
 * malformed, tampered, truncated or signed by an unknown key verifies to null (fail closed).
 */
export type TrackingKind = 'open' | 'click';

export interface TrackingKey {
  /** 0-255; stable for the key's whole life. */
  id: number;
  /** At least 32 bytes. */
  key: Buffer;
}

export interface TrackingKeys {
  current: TrackingKey;
  previous?: readonly TrackingKey[];
}

export interface VerifiedToken {
  kind: TrackingKind;
  /** 32 hex characters: the stored row's lookup key. */
  tokenId: string;
}

export interface TrackingSigner {
  mint(kind: TrackingKind): string;
  verify(token: string): VerifiedToken | null;
}

const KIND_BYTE: Record<TrackingKind, number> = { open: 0x01, click: 0x02 };
const PAYLOAD_BYTES = 18;
const MAC_BYTES = 16;
const MIN_KEY_BYTES = 32;
// base64url without padding: 18 bytes -> 24 chars, 16 bytes -> 22 chars.
const TOKEN = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{22})$/;

function mac(key: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
}

function checkKey(k: TrackingKey): void {
  if (!Number.isInteger(k.id) || k.id < 0 || k.id > 255) {
    throw new Error(`tracking key id must be an integer 0-255, got ${String(k.id)}`);
  }
  if (k.key.length < MIN_KEY_BYTES) {
    throw new Error(`tracking key ${k.id} must be at least ${MIN_KEY_BYTES} bytes`);
  }
}

export function createTrackingSigner(keys: TrackingKeys): TrackingSigner {
  const all = [keys.current, ...(keys.previous ?? [])];
  const byId = new Map<number, Buffer>();
  for (const k of all) {
    checkKey(k);
    if (byId.has(k.id)) {
      throw new Error(`tracking key id ${k.id} is listed twice`);
    }
    byId.set(k.id, k.key);
  }
  const current = keys.current;

  return {
    mint(kind) {
      const payload = Buffer.alloc(PAYLOAD_BYTES);
      payload[0] = current.id;
      payload[1] = KIND_BYTE[kind];
      randomBytes(16).copy(payload, 2);
      return `${payload.toString('base64url')}.${mac(current.key, payload).toString('base64url')}`;
    },

    verify(token) {
      const [, payloadText, macText] = TOKEN.exec(token) ?? [];
      if (payloadText === undefined || macText === undefined) {
        return null;
      }
      const payload = Buffer.from(payloadText, 'base64url');
      const given = Buffer.from(macText, 'base64url');
      // Non-canonical base64url (stray low bits in the last char) decodes to the same bytes; refuse
      // it so each token has exactly one spelling.
      if (
        payload.toString('base64url') !== payloadText ||
        given.toString('base64url') !== macText
      ) {
        return null;
      }
      if (payload.length !== PAYLOAD_BYTES || given.length !== MAC_BYTES) {
        return null;
      }
      const key = byId.get(payload.readUInt8(0));
      if (!key) {
        return null;
      }
      if (!timingSafeEqual(mac(key, payload), given)) {
        return null;
      }
      const kind =
        payload[1] === KIND_BYTE.open ? 'open' : payload[1] === KIND_BYTE.click ? 'click' : null;
      if (!kind) {
        return null;
      }
      return { kind, tokenId: payload.subarray(2).toString('hex') };
    },
  };
}
