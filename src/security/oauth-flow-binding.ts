import { createHash, createHmac, randomBytes } from 'node:crypto';
import { derivePurposeKey, safeEqual } from './signed-token.ts';

/**
 * Binds an OAuth connection attempt to the browser that started it, and gives it its PKCE
 * verifier (RFC 7636), with nothing stored on the server between the two requests:
 *
 * - `/start` draws a random nonce, puts it in an HttpOnly cookie, and puts only its SHA-256 in the
 *   signed state. The callback requires the cookie's nonce to hash to the state's (constant-time),
 *   so a state and code replayed in, or forced onto, another browser are refused (login CSRF).
 * - The PKCE verifier is HMAC(server key, nonce). It never appears in a URL or in the browser, and
 *   recomputing it needs both the browser's cookie and the deployment's key; the provider sees
 *   only its S256 challenge on the consent URL. So a stolen code cannot be redeemed without the
 *   victim's cookie, and a stolen cookie alone yields no verifier.
 *
 * Chosen over a random verifier in a cookie (Auth.js, Arctic) because the cookie then carries
 * no secret the provider checks; and over a verifier sealed into the state, because the state
 * travels through URLs and logs, and this needs no encryption.
 */
export interface FlowStart {
  /** Goes into the HttpOnly cookie. */
  nonce: string;
  /** Goes into the signed state. */
  nonceHash: string;
  /** Goes on the consent URL (`code_challenge`, method S256). */
  codeChallenge: string;
}

const hashNonce = (nonce: string) => createHash('sha256').update(nonce).digest('base64url');

/** RFC 7636 §4.2, S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

export class OAuthFlowBinding {
  private readonly key: Buffer;

  constructor(encryptionKeyBase64: string) {
    this.key = derivePurposeKey(encryptionKeyBase64, 'oauth pkce verifier');
  }

  begin(): FlowStart {
    const nonce = randomBytes(32).toString('base64url');
    return {
      nonce,
      nonceHash: hashNonce(nonce),
      codeChallenge: pkceChallenge(this.verifier(nonce)),
    };
  }

  /**
   * The flow's PKCE verifier when the browser's nonce matches the state's hash; null when the
   * cookie is missing or belongs to another attempt.
   */
  resume(cookieNonce: string | undefined, nonceHash: string): { codeVerifier: string } | null {
    if (!cookieNonce || !safeEqual(hashNonce(cookieNonce), nonceHash)) {
      return null;
    }
    return { codeVerifier: this.verifier(cookieNonce) };
  }

  /** 43 base64url characters, inside RFC 7636's 43–128 unreserved characters. */
  private verifier(nonce: string): string {
    return createHmac('sha256', this.key).update(nonce).digest('base64url');
  }
}
