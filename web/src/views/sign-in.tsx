/**
 * The sign-in form (product.md, "Web views"): an API key for a session cookie. A plain form post
 * to `/app/session`, which answers with a redirect back to `/app/` (signed in, or with
 * `?signin=failed`): it works before any script runs, and a refused key is a redirect, not a
 * failed request logged in the console.
 */
export function SignIn({ notice }: { notice: string | null }) {
  const failed = new URLSearchParams(location.search).get('signin') === 'failed';
  return (
    <main class="page sign-in">
      <h1>Sign in to Mailroom</h1>
      {notice !== null && <p role="status">{notice}</p>}
      <form
        method="post"
        action="/app/session"
        aria-describedby={failed ? 'sign-in-error' : undefined}
      >
        <label for="api-key">API key</label>
        <input id="api-key" name="apiKey" type="password" autocomplete="off" required />
        {failed && (
          <p id="sign-in-error" class="error" role="alert">
            That API key was not accepted.
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
