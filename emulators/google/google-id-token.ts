import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { generate } from 'selfsigned';

/**
 * The OIDC id tokens Pub/Sub puts on an authenticated push (`Authorization: Bearer …`): RS256
 * JWTs from `https://accounts.google.com` for the push subscription's service account, and the
 * certificates that verify them as Google serves them at `/oauth2/v1/certs` (`{kid: PEM X.509}`,
 * which google-auth-library's `verifyIdToken` reads; it wants a certificate, not a bare key). The
 * key is made when the emulator starts; its certificate when it is first asked for.
 */
export interface IdTokenClaims {
  audience: string;
  email: string;
  /** Already past its `exp` (a replayed old token). */
  expired?: boolean;
  /** Signed by a key the certificates do not hold (same kid): a forged token. */
  foreign?: boolean;
}

export class GoogleIdTokens {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private foreignKey: KeyObject | null = null;
  private certificate: Promise<string> | null = null;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.kid = createHash('sha1')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
  }

  sign(claims: IdTokenClaims, now = Date.now()): string {
    const iat = Math.floor(now / 1000) - (claims.expired ? 7200 : 0);
    const payload = {
      aud: claims.audience,
      azp: subjectOf(claims.email),
      email: claims.email,
      email_verified: true,
      exp: iat + 3600,
      iat,
      iss: 'https://accounts.google.com',
      sub: subjectOf(claims.email),
    };
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const input = `${b64(header)}.${b64(payload)}`;
    const key = claims.foreign ? this.foreign() : this.privateKey;
    const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
    return `${input}.${signature}`;
  }

  /** What `GET /oauth2/v1/certs` answers. */
  async certs(): Promise<Record<string, string>> {
    this.certificate ??= generate([{ name: 'commonName', value: 'pubsub-push.emulator' }], {
      keyPair: {
        privateKey: this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKey: this.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 30 * 86_400_000),
    }).then((pems) => pems.cert);
    return { [this.kid]: await this.certificate };
  }

  private foreign(): KeyObject {
    this.foreignKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return this.foreignKey;
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Google's `sub`: a stable 21-digit number per account. */
function subjectOf(email: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 16)}`);
  return `1${digits.toString().padStart(20, '0').slice(0, 20)}`;
}
