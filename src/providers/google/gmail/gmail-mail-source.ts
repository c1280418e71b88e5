import type { gmail_v1 } from '@googleapis/gmail';
import { createGmailApi } from './gmail-api.ts';
import type { OAuth2Client } from 'google-auth-library';
import type { Limiter } from '../../quota-limiter.ts';
import type {
  BackfillWindow,
  ChangePage,
  FetchedMessage,
  MailChange,
  MailSource,
  MailboxProfile,
  MessagePage,
} from '../../mail-source.ts';
import type { GmailQuotaRegime } from './gmail-costs.ts';
import { GMAIL_COSTS } from './gmail-costs.ts';
import { gmailLabelChange, gmailMessageKind } from './map-gmail-labels.ts';
import { GoogleCaller } from '../google-caller.ts';
import type { GmailCallContext } from '../parse-google-error.ts';

/**
 * MailSource over the Gmail API with the official client. Messages are fetched once, as raw
 * MIME (`format=raw` costs the same as `full` and is what the parser wants). The client's own
 * retries are off: gaxios ignores Retry-After, so our policy decides (src/sync/decide-retry.ts).
 * Gmail labels become Mailroom's `sent` / `excluded` in map-gmail-labels.ts.
 */
export interface GmailMailSourceOptions {
  auth: OAuth2Client;
  rootUrl: string | undefined;
  limiter: Limiter;
  regime: GmailQuotaRegime;
  /** Per request, connecting included: a silent server must not hold the job. */
  timeoutMs: number;
  pageSize?: number;
}

export class GmailMailSource implements MailSource {
  readonly cursorNeedsFullListing = false;
  // provider-apis.md §A.8/§E.1: about 10 concurrent requests per user before 429s.
  readonly maxConcurrency = 10;
  private readonly api: gmail_v1.Gmail;
  private readonly caller: GoogleCaller;
  private readonly costs: (typeof GMAIL_COSTS)[GmailQuotaRegime];
  private readonly pageSize: number;

  constructor(options: GmailMailSourceOptions) {
    this.api = createGmailApi(options);
    this.caller = new GoogleCaller(options.auth, options.limiter);
    this.costs = GMAIL_COSTS[options.regime];
    this.pageSize = options.pageSize ?? 100;
  }

  private call<T>(units: number, context: GmailCallContext, run: () => Promise<T>): Promise<T> {
    return this.caller.call(units, context, run);
  }

  async getProfile(): Promise<MailboxProfile> {
    const res = await this.call(this.costs.profile, 'other', () =>
      this.api.users.getProfile({ userId: 'me' }),
    );
    return {
      email: (res.data.emailAddress ?? '').toLowerCase(),
      cursor: res.data.historyId ?? '',
      messagesTotal: res.data.messagesTotal ?? null,
    };
  }

  async listMessages(window: BackfillWindow, pageToken: string | null): Promise<MessagePage> {
    // Spam and Trash are left out by includeSpamTrash=false; Drafts are recognised by their label
    // when fetched. `q` is sent only for a date bound, so the listing needs nothing beyond it.
    const q = window.since ? `after:${Math.floor(window.since.getTime() / 1000)}` : undefined;
    const res = await this.call(this.costs.list, 'other', () =>
      this.api.users.messages.list({
        userId: 'me',
        ...(q ? { q } : {}),
        includeSpamTrash: false,
        maxResults: this.pageSize,
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    return {
      messages: (res.data.messages ?? []).flatMap((m) =>
        m.id ? [{ id: m.id, threadId: m.threadId ?? null }] : [],
      ),
      nextPageToken: res.data.nextPageToken ?? null,
      estimatedTotal: res.data.resultSizeEstimate ?? null,
    };
  }

  async fetchMessage(id: string): Promise<FetchedMessage | null> {
    try {
      const res = await this.call(this.costs.get, 'message', () =>
        this.api.users.messages.get({ userId: 'me', id, format: 'raw' }),
      );
      const labels = res.data.labelIds ?? [];
      return {
        raw: Buffer.from(res.data.raw ?? '', 'base64url'),
        threadId: res.data.threadId ?? null,
        ...gmailMessageKind(labels),
        labels,
      };
    } catch (err) {
      // Deleted between listing and fetching: not an error for the sync.
      if (err instanceof Error && (err as { kind?: string }).kind === 'NOT_FOUND') {
        return null;
      }
      throw err;
    }
  }

  async listChanges(cursor: string, pageToken: string | null): Promise<ChangePage> {
    const res = await this.call(this.costs.history, 'history', () =>
      this.api.users.history.list({
        userId: 'me',
        startHistoryId: cursor,
        historyTypes: ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'],
        maxResults: 500,
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    const changes: MailChange[] = [];
    for (const record of res.data.history ?? []) {
      for (const a of record.messagesAdded ?? []) {
        if (a.message?.id) {
          changes.push({
            type: 'added',
            id: a.message.id,
            ...(a.message.labelIds
              ? { excluded: gmailMessageKind(a.message.labelIds).excluded }
              : {}),
          });
        }
      }
      for (const d of record.messagesDeleted ?? []) {
        if (d.message?.id) {
          changes.push({ type: 'deleted', id: d.message.id });
        }
      }
      // Label changes are applied as deltas: history records carry the labels added or removed,
      // while the message's full label list there is not guaranteed (provider-apis.md §A.6).
      for (const l of record.labelsAdded ?? []) {
        if (l.message?.id) {
          changes.push(gmailLabelChange(l.message.id, l.labelIds ?? [], []));
        }
      }
      for (const l of record.labelsRemoved ?? []) {
        if (l.message?.id) {
          changes.push(gmailLabelChange(l.message.id, [], l.labelIds ?? []));
        }
      }
    }
    const next = res.data.nextPageToken ?? null;
    return {
      changes,
      nextPageToken: next,
      newCursor: next ? null : (res.data.historyId ?? cursor),
    };
  }
}
