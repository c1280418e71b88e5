/**
 * Domain errors with stable codes. The CLI prints their message as its one-line error; the HTTP
 * layer answers with the status this table gives the code. The table is total over `ErrorCode`,
 * so a new code cannot ship without deciding its status (it used to fall back to 400).
 */
export const HTTP_STATUS_BY_CODE = {
  INVALID_INPUT: 400,
  BAD_REQUEST: 400,
  OAUTH_BAD_STATE: 400,
  OAUTH_DENIED: 400,
  OAUTH_NO_REFRESH_TOKEN: 400,
  UNAUTHENTICATED: 401,
  // A connect link that is forged, expired or for another provider.
  CONNECT_LINK_INVALID: 403,
  // An OAuth callback in a browser that did not start the attempt (no or another flow cookie).
  OAUTH_BROWSER_MISMATCH: 403,
  // A state-changing request made with the web session cookie but without its CSRF token.
  CSRF_REJECTED: 403,
  // The mailbox was connected without the scope sending needs: reconnect it to grant it.
  SEND_NOT_PERMITTED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  // The mailbox exists but its owner must reconnect it before it can sync again.
  REAUTH_REQUIRED: 409,
  // The sync was not run because the mailbox may not sync now (deleted, disconnected).
  SYNC_SKIPPED: 409,
  // Another attempt with this Idempotency-Key is running, or its outcome is not known yet.
  SEND_IN_PROGRESS: 409,
  // The provider refused the message (e.g. a recipient it cannot resolve); nothing was sent.
  SEND_REFUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  // A provider or the queue failed us; the request itself was fine.
  OAUTH_EXCHANGE_FAILED: 502,
  // The provider did not revoke a grant (disconnect logs it and goes on).
  OAUTH_REVOKE_FAILED: 502,
  SYNC_FAILED: 502,
  // The send request timed out or failed in a way that may have sent it: retry with the same
  // Idempotency-Key, which asks the provider before sending anything again.
  SEND_OUTCOME_UNKNOWN: 502,
  SCHEDULE_FAILED: 503,
  // Redis (REDIS_URL) does not answer: nothing can be queued until it does.
  QUEUE_UNAVAILABLE: 503,
  // The deployment has no OAuth client for this provider (its variables are not set).
  OAUTH_NOT_CONFIGURED: 503,
  // The database is missing or behind the code's migrations; only `migrate` fixes that.
  DATABASE_NOT_READY: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS_BY_CODE[code];
}

export class MailroomError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends MailroomError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class InvalidInputError extends MailroomError {
  override readonly name = 'InvalidInputError';
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}
