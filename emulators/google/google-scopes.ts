/**
 * The Google OAuth scopes the emulator knows by meaning (provider-apis.md §H.1): what a grant gets
 * when its issuer names none, and which scopes let a grant send mail (`gmail.readonly` does not).
 */
const AUTH = 'https://www.googleapis.com/auth';

export const DEFAULT_GOOGLE_SCOPES: readonly string[] = [
  `${AUTH}/gmail.readonly`,
  `${AUTH}/gmail.send`,
  `${AUTH}/calendar.readonly`,
];

/** Any one of these lets `messages.send` through. */
export const SEND_SCOPES: readonly string[] = [
  `${AUTH}/gmail.send`,
  `${AUTH}/gmail.compose`,
  `${AUTH}/gmail.modify`,
  'https://mail.google.com/',
];

/** The scopes an authorization request's space-separated `scope` parameter asks for. */
export function scopesFromParameter(scope: string | undefined): string[] | undefined {
  const scopes = (scope ?? '').split(/\s+/).filter((s) => s !== '');
  return scopes.length > 0 ? scopes : undefined;
}
