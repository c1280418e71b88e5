/** The sign-in form: an API key for a session cookie (product.md, "Web views"). */
import { useState } from 'preact/hooks';
import { signIn, type Session } from '../api/session.ts';

export function SignIn({
  onSignedIn,
  notice,
}: {
  onSignedIn: (s: Session) => void;
  notice: string | null;
}) {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    signIn(apiKey.trim()).then(onSignedIn, (err: unknown) => {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    });
  };
  return (
    <main class="page sign-in">
      <h1>Sign in to Mailroom</h1>
      {notice !== null && <p role="status">{notice}</p>}
      <form onSubmit={submit} aria-describedby={error === null ? undefined : 'sign-in-error'}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autocomplete="off"
          required
          value={apiKey}
          onInput={(e) => {
            setApiKey(e.currentTarget.value);
          }}
        />
        {error !== null && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
