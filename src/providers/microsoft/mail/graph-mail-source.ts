import type {
  BackfillWindow,
  ChangePage,
  FetchedMessage,
  MailChange,
  MailSource,
  MailboxProfile,
  MessagePage,
} from '../../mail-source.ts';
import { ProviderError } from '../../provider-error.ts';
import type { GraphRequester } from '../graph-requester.ts';
import { mapGraphFolder, type SeenFolder } from './map-graph-folder.ts';

/**
 * MailSource over Microsoft Graph with the official SDK. Folders (Inbox and Sent Items by default)
 * are tracked with per-folder message delta (provider-apis.md §D.1): the listing selects only
 * `id`, `parentFolderId`, `isDraft` and `receivedDateTime` in pages of up to `pageSize`, and each
 * new message is fetched once as MIME (`/messages/{id}/$value`) so Outlook and Gmail mail go
 * through the same parser and give the same records. Requests per message ≈ 1 + 1/pageSize.
 *
 * Cursor and page tokens are JSON: the delta link per folder.
 */
export interface GraphMailSourceOptions {
  graph: GraphRequester;
  folders: readonly string[];
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
  private readonly graph: GraphRequester;
  private readonly folders: readonly string[];
  private readonly pageSize: number;
  /** Folder of each message seen in this run: what it is (sent, a draft) when fetched. */
  private readonly folderOf = new Map<string, SeenFolder>();

  constructor(options: GraphMailSourceOptions) {
    this.graph = options.graph;
    this.folders = options.folders;
    this.pageSize = options.pageSize ?? 100;
  }

  private call<T>(run: () => Promise<T>): Promise<T> {
    return this.graph.call(run);
  }

  async getProfile(): Promise<MailboxProfile> {
    const me = await this.call(
      () =>
        this.graph.client.api('/me').select(['mail', 'userPrincipalName']).get() as Promise<{
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

  private page(url: string | null, folder: string): Promise<DeltaPage> {
    return this.call(
      () =>
        (url
          ? this.graph.client.api(this.graph.onConfiguredEndpoint(url))
          : this.graph.client.api(`/me/mailFolders/${folder}/messages/delta`).select(SELECT)
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
      // The body is read inside the call: a stream cut off or timed out half-way is a provider
      // failure (transient), not a message that cannot be read.
      const raw = await this.call(async () => {
        const stream = (await this.graph.client
          .api(`/me/messages/${id}/$value`)
          .getStream()) as ReadableStream<Uint8Array>;
        return Buffer.from(await new Response(stream).arrayBuffer());
      });
      return { raw, threadId: null, ...mapGraphFolder(this.folderOf.get(id)) };
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
          ...(item.isDraft ? { excluded: true } : {}),
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
