import { Client, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import type {
  BackfillWindow,
  ChangePage,
  FetchedMessage,
  MailChange,
  MailSource,
  MailboxProfile,
  MessagePage,
} from '../mail-source.ts';
import { ProviderError } from '../provider-error.ts';
import { withCallRetry } from '../call-retry.ts';
import type { Limiter } from '../../sync/quota-limiter.ts';
import { parseGraphError } from './parse-graph-error.ts';

/**
 * MailSource over Microsoft Graph with the official SDK. Folders (Inbox and Sent Items by default)
 * are tracked with per-folder message delta (provider-apis.md §D.1): the listing selects only
 * `id`, `parentFolderId`, `isDraft` and `receivedDateTime` in pages of up to `pageSize`, and each
 * new message is fetched once as MIME (`/messages/{id}/$value`) so Outlook and Gmail mail go
 * through the same parser and give the same records. Requests per message ≈ 1 + 1/pageSize.
 *
 * Cursor and page tokens are JSON: the delta link per folder. The SDK sends the access token only
 * over https to known hosts, so the Graph host is added to `customHosts` (§D.8).
 */
export interface GraphMailSourceOptions {
  graphUrl: string;
  accessToken: () => Promise<string>;
  /** Drops the cached access token; called once on a 401 before giving up. */
  invalidateToken: () => void;
  folders: readonly string[];
  /** Keeps the mailbox under Graph's requests-per-10-minutes budget. */
  limiter: Limiter;
  pageSize?: number;
}

interface ListingToken {
  folder: number;
  next: string | null;
  links: Record<string, string>;
}

interface DeltaItem {
  id: string;
  parentFolderId?: string;
  isDraft?: boolean;
  '@removed'?: { reason: string };
}

interface DeltaPage {
  value: DeltaItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const SELECT = ['id', 'parentFolderId', 'isDraft', 'receivedDateTime'];
/** Delta needs a cursor before it can list; the real one arrives with the listing's last page. */
const PENDING = 'pending-delta';

export class GraphMailSource implements MailSource {
  readonly cursorNeedsFullListing = true;
  // provider-apis.md §D.4: 4 concurrent requests per app and mailbox.
  readonly maxConcurrency = 4;
  private readonly client: Client;
  private readonly folders: readonly string[];
  private readonly pageSize: number;
  private readonly invalidateToken: () => void;
  private readonly origin: string;
  private readonly limiter: Limiter;
  private authError: unknown = null;
  /** Folder of each message seen in this run: its labels when fetched. */
  private readonly folderOf = new Map<string, { folder: string; draft: boolean }>();

  constructor(options: GraphMailSourceOptions) {
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
    this.client = Client.initWithMiddleware({
      authProvider,
      baseUrl: options.graphUrl,
      customHosts: new Set([new URL(options.graphUrl).hostname]),
    });
    this.folders = options.folders;
    this.pageSize = options.pageSize ?? 100;
    this.invalidateToken = options.invalidateToken;
    this.origin = new URL(options.graphUrl).origin;
    this.limiter = options.limiter;
  }

  private call<T>(run: () => Promise<T>): Promise<T> {
    let refreshed = false;
    return withCallRetry(async () => {
      await this.limiter.acquire(1);
      try {
        return await run();
      } catch (err) {
        const classified = parseGraphError(this.authError ?? err);
        // A 401 with a cached token is first a stale token, not a revoked grant: refresh once.
        if (classified.kind === 'AUTH_REVOKED' && classified.status === 401 && !refreshed) {
          refreshed = true;
          this.invalidateToken();
          return run();
        }
        throw classified;
      }
    });
  }

  async getProfile(): Promise<MailboxProfile> {
    const me = await this.call(
      () =>
        this.client.api('/me').select(['mail', 'userPrincipalName']).get() as Promise<{
          mail?: string;
          userPrincipalName?: string;
        }>,
    );
    return {
      email: (me.mail ?? me.userPrincipalName ?? '').toLowerCase(),
      cursor: PENDING,
      messagesTotal: null,
    };
  }

  /**
   * Links are followed on the configured endpoint: a link naming another host for it (`localhost`
   * for `127.0.0.1`, or an endpoint that moved) would get no token from the SDK, which only sends
   * one to hosts it knows. Path and query, which carry the state, are kept.
   */
  private onConfiguredEndpoint(link: string): string {
    const url = new URL(link);
    return url.origin === this.origin ? link : `${this.origin}${url.pathname}${url.search}`;
  }

  private page(url: string | null, folder: string): Promise<DeltaPage> {
    return this.call(
      () =>
        (url
          ? this.client.api(this.onConfiguredEndpoint(url))
          : this.client.api(`/me/mailFolders/${folder}/messages/delta`).select(SELECT)
        )
          .header('Prefer', `odata.maxpagesize=${String(this.pageSize)}, IdType="ImmutableId"`)
          .get() as Promise<DeltaPage>,
    );
  }

  private remember(folder: string, item: DeltaItem): void {
    this.folderOf.set(item.id, { folder, draft: item.isDraft === true });
  }

  async listMessages(_window: BackfillWindow, pageToken: string | null): Promise<MessagePage> {
    const token: ListingToken = pageToken
      ? (JSON.parse(pageToken) as ListingToken)
      : { folder: 0, next: null, links: {} };
    const folder = this.folders[token.folder];
    if (folder === undefined) {
      return {
        messages: [],
        nextPageToken: null,
        estimatedTotal: null,
        cursorAfter: JSON.stringify(token.links),
      };
    }
    const page = await this.page(token.next, folder);
    const live = page.value.filter((item) => !item['@removed']);
    for (const item of live) {
      this.remember(folder, item);
    }
    let next: ListingToken;
    if (page['@odata.nextLink']) {
      next = { ...token, next: page['@odata.nextLink'] };
    } else {
      next = {
        folder: token.folder + 1,
        next: null,
        links: { ...token.links, [folder]: page['@odata.deltaLink'] ?? '' },
      };
    }
    const done = next.folder >= this.folders.length;
    return {
      messages: live.map((item) => ({ id: item.id, threadId: null })),
      nextPageToken: done ? null : JSON.stringify(next),
      estimatedTotal: null,
      ...(done ? { cursorAfter: JSON.stringify(next.links) } : {}),
    };
  }

  async fetchMessage(id: string): Promise<FetchedMessage | null> {
    try {
      const stream = await this.call(
        () =>
          this.client.api(`/me/messages/${id}/$value`).getStream() as Promise<
            ReadableStream<Uint8Array>
          >,
      );
      const raw = Buffer.from(await new Response(stream).arrayBuffer());
      const seen = this.folderOf.get(id);
      const labels = [
        seen?.folder === 'sentitems' ? 'SENT' : (seen?.folder.toUpperCase() ?? 'INBOX'),
        ...(seen?.draft ? ['DRAFT'] : []),
      ];
      return { raw, labels, threadId: null };
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'NOT_FOUND') {
        return null;
      }
      throw err;
    }
  }

  async listChanges(cursor: string, pageToken: string | null): Promise<ChangePage> {
    const links = JSON.parse(cursor === PENDING ? '{}' : cursor) as Record<string, string>;
    const state = pageToken
      ? (JSON.parse(pageToken) as {
          folder: number;
          next: string | null;
          links: Record<string, string>;
        })
      : { folder: 0, next: null, links };
    const changes: MailChange[] = [];
    const folder = this.folders[state.folder];
    if (folder === undefined) {
      return { changes, nextPageToken: null, newCursor: JSON.stringify(state.links) };
    }
    const start = state.next ?? state.links[folder];
    if (!start) {
      throw new ProviderError('CURSOR_INVALID', `no delta link for folder ${folder}`);
    }
    const page = await this.page(start, folder);
    for (const item of page.value) {
      if (item['@removed']) {
        changes.push({ type: 'deleted', id: item.id });
      } else {
        this.remember(folder, item);
        changes.push({
          type: 'added',
          id: item.id,
          ...(item.isDraft ? { labels: ['DRAFT'] } : {}),
        });
      }
    }
    const next = page['@odata.nextLink']
      ? { ...state, next: page['@odata.nextLink'] }
      : {
          folder: state.folder + 1,
          next: null,
          links: { ...state.links, [folder]: page['@odata.deltaLink'] ?? start },
        };
    const done = next.folder >= this.folders.length;
    return {
      changes,
      nextPageToken: done ? null : JSON.stringify(next),
      newCursor: done ? JSON.stringify(next.links) : null,
    };
  }
}
