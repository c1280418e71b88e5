/**
 * A connection URL fit for a log line or an error message: the password (and user) removed, so
 * `REDIS_URL=redis://:secret@host:6379` can be named to the operator without leaking the secret.
 */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = '***';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}
