import { checkRecipientCount, type GraphRefusal } from './graph-compose.ts';
import type { GraphMessageJson } from './graph-message-json.ts';
import { withoutHeader } from './graph-raw-mime.ts';
import type { GraphStore, StoredGraphMessage, WellKnownFolder } from './graph-store.ts';

/**
 * What happens when Exchange sends a message (provider-apis.md §H.2, §H.3): the sender's copy goes
 * to Sent Items as a new item (unless `saveToSentItems` is false), every addressed mailbox of this
 * emulator gets a copy in its inbox without the Bcc header, and the send is logged, oldest first,
 * so tests can read exactly what left the mailbox even when no Sent Items copy was kept.
 */
export interface SentRecord {
  /** The Sent Items copy, or null when the send asked not to keep one. */
  id: string | null;
  conversationId: string;
  internetMessageId: string | null;
  raw: Buffer;
}

/** MIME → Graph JSON for one mailbox and folder (the emulator's conversation ids included). */
export type ReadMime = (
  email: string,
  folder: WellKnownFolder,
  raw: Buffer,
  options?: { conversationId?: string },
) => Promise<{
  json: Omit<GraphMessageJson, 'id' | 'parentFolderId'>;
  headers: { name: string; value: string }[];
}>;

export class GraphOutbox {
  private readonly sent = new Map<string, SentRecord[]>();
  private readonly store: GraphStore;
  private readonly readMime: ReadMime;

  constructor(store: GraphStore, readMime: ReadMime) {
    this.store = store;
    this.readMime = readMime;
  }

  /**
   * Sends the sender's MIME (Bcc still in it). A refusal (no or too many recipients) changes
   * nothing. `conversationId` keeps a sent draft or reply in the conversation it belongs to.
   */
  async submit(
    email: string,
    raw: Buffer,
    options: { saveToSentItems: boolean; conversationId?: string },
  ): Promise<GraphRefusal | SentRecord> {
    const { json, headers } = await this.readMime(email, 'sentitems', raw, options);
    const recipients = [...json.toRecipients, ...json.ccRecipients, ...json.bccRecipients].map(
      (r) => r.emailAddress.address.toLowerCase(),
    );
    const refusal = checkRecipientCount(recipients.length);
    if (refusal) {
      return refusal;
    }
    let copy: StoredGraphMessage | null = null;
    if (options.saveToSentItems) {
      copy = this.store.add(email, 'sentitems', { ...json, isRead: true }, raw, headers);
    }
    const record: SentRecord = {
      id: copy?.id ?? null,
      conversationId: json.conversationId,
      internetMessageId: json.internetMessageId,
      raw,
    };
    const log = this.sent.get(email.toLowerCase()) ?? [];
    log.push(record);
    this.sent.set(email.toLowerCase(), log);
    await this.deliver(raw, recipients);
    return record;
  }

  /** Copies for the addressed mailboxes this emulator holds (the sender's own included). */
  private async deliver(raw: Buffer, recipients: string[]): Promise<void> {
    const delivered = withoutHeader(raw, 'bcc');
    for (const address of new Set(recipients)) {
      if (this.store.mailboxes.has(address)) {
        const { json, headers } = await this.readMime(address, 'inbox', delivered);
        this.store.add(address, 'inbox', json, delivered, headers);
      }
    }
  }

  /** Everything the mailbox sent, oldest first. */
  sentBy(email: string): readonly SentRecord[] {
    return this.sent.get(email.toLowerCase()) ?? [];
  }
}

export const isRefusal = (value: GraphRefusal | SentRecord): value is GraphRefusal =>
  'code' in value;
