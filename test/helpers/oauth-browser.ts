import { parseSetCookie, stringifyCookie } from 'cookie';
import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';

/**
 * A browser, as far as the OAuth connect flow needs one: it keeps the cookies Mailroom sets (by
 * name and path, dropping expired ones) and sends them back where a browser would, and it walks
 * the flow the way a rep does: open the connect link (Mailroom), follow the redirect to the
 * provider's consent page (the emulator, over real HTTP), follow the redirect back (Mailroom).
 */
export class TestBrowser {
  private readonly jar = new Map<string, { value: string; path: string }>();
  /** Every Set-Cookie Mailroom sent this browser, as sent. */
  readonly setCookies: string[] = [];

  cookieHeader(pathname: string): string | undefined {
    const sent = Object.fromEntries(
      [...this.jar]
        .filter(([, c]) => pathname === c.path || pathname.startsWith(`${c.path}/`))
        .map(([name, c]) => [name, c.value]),
    );
    return Object.keys(sent).length > 0 ? stringifyCookie(sent) : undefined;
  }

  /** A GET to Mailroom through `inject`, with this browser's cookies. */
  async get(app: FastifyInstance, url: string | URL): Promise<LightMyRequestResponse> {
    const target = new URL(url, 'http://mailroom.test');
    const cookie = this.cookieHeader(target.pathname);
    const res = await app.inject({
      url: target.pathname + target.search,
      headers: cookie ? { cookie } : {},
    });
    const raw = res.headers['set-cookie'];
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      this.setCookies.push(line);
      const c = parseSetCookie(line);
      if (c.maxAge === 0 || c.value === undefined || c.value === '') {
        this.jar.delete(c.name);
      } else {
        this.jar.set(c.name, { value: c.value, path: c.path ?? '/' });
      }
    }
    return res;
  }

  /** Opens a connect link: Mailroom's start answers with the consent URL (and sets the cookie). */
  async start(app: FastifyInstance, link: string): Promise<URL> {
    const res = await this.get(app, link);
    if (res.statusCode !== 302 || !res.headers.location) {
      throw new Error(`start did not redirect: ${res.statusCode} ${res.body}`);
    }
    return new URL(res.headers.location);
  }
}

/** The provider's consent page (an emulator) approves and answers with the callback URL. */
export async function consent(consentUrl: URL): Promise<URL> {
  const res = await fetch(consentUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) {
    throw new Error(`consent did not redirect: ${res.status} ${await res.text()}`);
  }
  return new URL(location);
}
