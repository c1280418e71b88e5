/** Google's JSON error envelope (provider-apis.md §A.10), as gaxios expects to read it. */
export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: {
      message: string;
      domain: string;
      reason: string;
      location?: string;
      locationType?: string;
    }[];
    status: string;
  };
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  410: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function googleError(
  code: number,
  reason: string,
  message: string,
  domain = 'global',
  extra: { location?: string; locationType?: string } = {},
): GoogleErrorBody {
  return {
    error: {
      code,
      message,
      errors: [{ message, domain, reason, ...extra }],
      status:
        code === 403 && domain === 'usageLimits'
          ? 'RESOURCE_EXHAUSTED'
          : (STATUS_NAMES[code] ?? 'UNKNOWN'),
    },
  };
}

export const AUTH_ERROR = googleError(401, 'authError', 'Invalid Credentials', 'global', {
  location: 'Authorization',
  locationType: 'header',
});
export const NOT_FOUND = googleError(404, 'notFound', 'Requested entity was not found.');
export const USER_RATE_LIMIT = googleError(
  403,
  'userRateLimitExceeded',
  'User Rate Limit Exceeded',
  'usageLimits',
);
export const TOO_MANY_CONCURRENT = googleError(
  429,
  'rateLimitExceeded',
  'Too many concurrent requests for user',
  'usageLimits',
);
export const INSUFFICIENT_SCOPES = googleError(
  403,
  'insufficientPermissions',
  'Request had insufficient authentication scopes.',
);
export const BACKEND_ERROR = googleError(500, 'backendError', 'Backend Error');
