/**
 * The one API client of the views: typed by the OpenAPI document (schema.d.ts), same-origin with
 * the session cookie. Every state-changing call carries the session's CSRF token, and a 401 (the
 * session ended) sends the app back to its sign-in form.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

let csrfToken: string | null = null;
let onSignedOut: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function onUnauthorized(handler: () => void): void {
  onSignedOut = handler;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const session: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method) && csrfToken !== null) {
      request.headers.set('x-csrf-token', csrfToken);
    }
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      onSignedOut();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

/** An API error's message, in the words the API gave. */
export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's body, or an ApiError with the API's message. */
export function unwrap<T>(answer: Answer<T>): T {
  if (answer.data !== undefined) {
    return answer.data;
  }
  throw new ApiError(errorMessage(answer.error, answer.response), answer.response.status);
}

function errorMessage(body: unknown, response: Response): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const { error } = body;
    if (typeof error === 'object' && error !== null && 'message' in error) {
      return String(error.message);
    }
  }
  return `the server answered ${String(response.status)} ${response.statusText}`;
}
