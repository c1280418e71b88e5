/**
 * The web session (`/app/session`): an API key exchanged (by the sign-in form's post) for an
 * HttpOnly cookie and a CSRF token. It is outside /api/v1 and its OpenAPI document, so plain fetch.
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

/** The signed-in session, or null (`GET /app/session` answers `{"signedIn":false}` then). */
export async function currentSession(): Promise<Session | null> {
  const res = await fetch('/app/session', { credentials: 'same-origin' });
  const body: unknown = await res.json();
  if (res.ok && typeof body === 'object' && body !== null && 'signedIn' in body) {
    return body.signedIn === true && isSession(body) ? body : null;
  }
  throw new Error(`the session check failed (${String(res.status)})`);
}

export async function signOut(csrfToken: string): Promise<void> {
  await fetch('/app/session', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrfToken },
  });
}
