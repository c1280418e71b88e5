import type { Config } from '../../../config.ts';

/**
 * The Microsoft identity platform (v2) endpoints and scopes, shared by the connect flow (code
 * grant) and the token store (refresh grant), so the token request is written once.
 */
export const MICROSOFT_SCOPES = [
  'offline_access',
  'Mail.Read',
  'Calendars.Read',
  'User.Read',
  'openid',
  'email',
];

/**
 * What the connect flow asks consent for: the sync's scopes plus sending (`Mail.Send`) and the
 * drafts a send goes through (`Mail.ReadWrite`). Token refreshes keep asking for MICROSOFT_SCOPES
 * only: a mailbox consented before sending existed must keep syncing (asking a refresh for a scope
 * never consented fails it) and is told to reconnect when it tries to send.
 */
export const MICROSOFT_CONNECT_SCOPES = [...MICROSOFT_SCOPES, 'Mail.Send', 'Mail.ReadWrite'];

export interface MicrosoftTokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
}

/** `{MICROSOFT_LOGIN_URL}/{tenant}/oauth2/v2.0`: the authorize and token endpoints live here. */
export function microsoftAuthority(config: Config['microsoft']): string {
  return `${config.loginUrl.replace(/\/$/, '')}/${config.tenant}/oauth2/v2.0`;
}

/**
 * POSTs one grant to the token endpoint. A network failure throws as `fetch` does; an error
 * response comes back with `ok: false` (and its JSON body, if any) for the caller to classify.
 */
export async function requestMicrosoftToken(
  config: Config['microsoft'],
  grant: Record<string, string>,
): Promise<{ ok: boolean; status: number; json: MicrosoftTokenResponse | null }> {
  const res = await fetch(`${microsoftAuthority(config)}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(grant),
    signal: AbortSignal.timeout(config.requestTimeoutMs),
  });
  const json = (await res.json().catch(() => null)) as MicrosoftTokenResponse | null;
  return { ok: res.ok, status: res.status, json };
}
