import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createOAuthConnectors } from '../../src/providers/registry.ts';

const config = parseConfig({
  GOOGLE_CLIENT_ID: 'google-client',
  GOOGLE_OAUTH_AUTH_URL: 'https://accounts.example/o/oauth2/v2/auth',
  MICROSOFT_CLIENT_ID: 'ms-client',
  MICROSOFT_LOGIN_URL: 'https://login.example/',
  MICROSOFT_TENANT: 'contoso',
});
const byProvider = new Map(createOAuthConnectors(config).map((c) => [c.provider, c]));
const request = {
  redirectUri: 'https://mailroom.test/cb',
  state: 'signed.state',
  loginHint: null,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
};

describe('OAuth connectors: one per vendor, each with its consent URL', () => {
  it('serves Google and Microsoft', () => {
    expect([...byProvider.keys()]).toEqual(['google', 'microsoft']);
  });

  it('Google asks for offline access with a consent prompt and the read scopes', () => {
    const url = new URL(byProvider.get('google')?.authorizationUrl(request) ?? '');
    expect(url.origin + url.pathname).toBe('https://accounts.example/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      access_type: 'offline',
      prompt: 'consent',
      client_id: 'google-client',
      redirect_uri: 'https://mailroom.test/cb',
      state: 'signed.state',
      response_type: 'code',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining([
        'https://www.googleapis.com/auth/gmail.readonly',
        'https://www.googleapis.com/auth/gmail.send',
      ]),
    );
    expect(url.searchParams.has('login_hint')).toBe(false);
  });

  it('Microsoft uses the tenant authority, offline_access and the login hint', () => {
    const url = new URL(
      byProvider
        .get('microsoft')
        ?.authorizationUrl({ ...request, loginHint: 'adele@contoso.com' }) ?? '',
    );
    expect(url.origin + url.pathname).toBe('https://login.example/contoso/oauth2/v2.0/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'ms-client',
      response_type: 'code',
      response_mode: 'query',
      redirect_uri: 'https://mailroom.test/cb',
      scope:
        'offline_access Mail.Read Calendars.Read User.Read openid email Mail.Send Mail.ReadWrite',
      state: 'signed.state',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      login_hint: 'adele@contoso.com',
    });
  });
});
