import {
  Client,
  MiddlewareFactory,
  type AuthenticationProvider,
} from '@microsoft/microsoft-graph-client';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Limiter } from '../quota-limiter.ts';
import { withCallRetry } from '../call-retry.ts';
import { GraphTimeoutHandler } from './graph-timeout-handler.ts';
import { parseGraphError, type GraphCallContext } from './parse-graph-error.ts';

/**
 * One mailbox's way into Microsoft Graph, shared by its mail and calendar adapters: the official
 * SDK (which sends the access token only over https to known hosts, so the Graph host is added to
 * `customHosts`, provider-apis.md §D.8), the request budget, one classification of failures and
 * one token refresh on a 401, and Graph's 4 requests in flight per app and mailbox (§D.4) shared by
 * both, so a calendar job beside a mail backfill queues instead of drawing 429s.
 */
export interface GraphRequesterOptions {
  graphUrl: string;
  /** Per request, connecting and reading the body included. */
  timeoutMs: number;
  accessToken: () => Promise<string>;
  /** Drops the cached access token; called once on a 401 before giving up. */
  invalidateToken: () => void;
  /** Keeps the mailbox under Graph's requests-per-10-minutes budget. */
  limiter: Limiter;
  maxConcurrency?: number;
}

export class GraphRequester {
  readonly client: Client;
  private readonly origin: string;
  private readonly limiter: Limiter;
  private readonly invalidateToken: () => void;
  private readonly slots: LimitFunction;
  private authError: unknown = null;

  constructor(options: GraphRequesterOptions) {
    // The SDK wraps an auth provider's error as a status -1 GraphError, which reads like a network
    // failure; keep the real one (e.g. invalid_grant) so it is classified as what it is.
    const authProvider: AuthenticationProvider = {
      getAccessToken: async () => {
        try {
          this.authError = null;
          return await options.accessToken();
        } catch (err) {
          this.authError = err;
          throw err;
        }
      },
    };
    // The SDK's default chain (auth, retry, redirect, telemetry, HTTP) with a timeout just before
    // the HTTP handler, so each attempt gets its own.
    const middleware = MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
    middleware.splice(-1, 0, new GraphTimeoutHandler(options.timeoutMs));
    this.client = Client.initWithMiddleware({
      middleware,
      baseUrl: options.graphUrl,
      customHosts: new Set([new URL(options.graphUrl).hostname]),
    });
    this.origin = new URL(options.graphUrl).origin;
    this.limiter = options.limiter;
    this.invalidateToken = options.invalidateToken;
    this.slots = pLimit(options.maxConcurrency ?? 4);
  }

  /**
   * `send`: a request that must not be repeated once it may have reached Graph: only a 401 (a
   * stale token) and a throttle are retried, and the caller also turns the SDK's own retries off
   * (`NO_SDK_RETRY`); its 403 means a missing send scope.
   */
  call<T>(run: () => Promise<T>, context: GraphCallContext = 'other'): Promise<T> {
    let refreshed = false;
    return withCallRetry(
      async () => {
        await this.limiter.acquire(1);
        // A slot per request, not per retry: waiting out a Retry-After holds none.
        return this.slots(async () => {
          try {
            return await run();
          } catch (err) {
            const classified = parseGraphError(this.authError ?? err, context);
            // A 401 with a cached token is first a stale token, not a revoked grant: refresh once.
            if (classified.kind === 'AUTH_REVOKED' && classified.status === 401 && !refreshed) {
              refreshed = true;
              this.invalidateToken();
              return run();
            }
            throw classified;
          }
        });
      },
      { retryTransient: context !== 'send' },
    );
  }

  /**
   * Links are followed on the configured endpoint: a link naming another host for it (`localhost`
   * for `127.0.0.1`, or an endpoint that moved) would get no token from the SDK, which only sends
   * one to hosts it knows. Path and query, which carry the state, are kept.
   */
  onConfiguredEndpoint(link: string): string {
    const url = new URL(link);
    return url.origin === this.origin ? link : `${this.origin}${url.pathname}${url.search}`;
  }
}
