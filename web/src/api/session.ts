/**
 * The web session (`/app/session`): an API key exchanged for an HttpOnly cookie and a CSRF token.
 * It is outside /api/v1 and its OpenAPI document, so plain fetch.
 */
export interface Session {
  workspaceId: string;
  csrfToken: string;
}

function isSession(v: unknown): v is Session {
  return (
    typeof v === 'object' &&
    v !== null &&
    'workspaceId' in v &&
    typeof v.workspaceId === 'string' &&
    'csrfToken' in v &&
    typeof v.csrfToken === 'string'
  );
}

export async function currentSession(): Promise<Session | null> {
  const res = await fetch('/app/session', { credentials: 'same-origin' });
  if (res.status === 401) {
    return null;
  }
  const body: unknown = await res.json();
  if (!res.ok || !isSession(body)) {
    throw new Error(`the session check failed (${String(res.status)})`);
  }
  return body;
}

/** Signs in; the error's message is what to show (a wrong key is refused with 401). */
export async function signIn(apiKey: string): Promise<Session> {
  const res = await fetch('/app/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  const body: unknown = await res.json().catch(() => null);
  if (res.ok && isSession(body)) {
    return body;
  }
  if (res.status === 401) {
    throw new Error('That API key was not accepted.');
  }
  throw new Error(`Signing in failed (${String(res.status)}).`);
}

export async function signOut(csrfToken: string): Promise<void> {
  await fetch('/app/session', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrfToken },
  });
}
