import { createHash } from 'node:crypto';
import type { GeneratedUsers } from './generated-users.ts';

/**
 * In-memory state of the Gmail emulator: users, their messages with labels, and a history log
 * whose ids rise (not contiguously, like Gmail's) and whose old records can be expired so that
 * `history.list` answers 404 for a start id older than what is retained.
 */
export interface StoredMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  raw: Buffer;
  internalDate: number;
  historyId: number;
  messageIdHeader: string | null;
  references: string[];
}

export type HistoryRecord =
  | { id: number; type: 'messageAdded'; message: StoredMessage }
  | { id: number; type: 'messageDeleted'; message: { id: string; threadId: string } }
  | { id: number; type: 'labelAdded' | 'labelRemoved'; message: StoredMessage; labelIds: string[] };

export interface GmailUser {
  email: string;
  messages: Map<string, StoredMessage>;
  /** The first stored message with each Message-ID header: threading looks replies up here. */
  byMessageIdHeader: Map<string, StoredMessage>;
  history: HistoryRecord[];
  historyId: number;
  /** Oldest start id history.list still accepts; older ones get 404. */
  minHistoryId: number;
  userLabels: Map<string, string>;
}

/**
 * Which thread a new message joins: the one of a message it references (how mail arriving at a
 * mailbox is threaded here), a new one (a send without `threadId`: Gmail does not guess), or a
 * named one (a send whose `threadId` met Gmail's criteria).
 */
export type ThreadPlacement = 'by-references' | 'new' | { threadId: string };

export const SYSTEM_LABELS = [
  'INBOX',
  'SPAM',
  'TRASH',
  'UNREAD',
  'STARRED',
  'IMPORTANT',
  'SENT',
  'DRAFT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
];

function headerBlock(raw: Buffer): string {
  const text = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]+/g, ' ');
}

function header(block: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(block);
  return m?.[1]?.trim();
}

/**
 * A new history record, with the labels it concerns (the message's labels, those it gained or
 * lost, or, for a deletion, those it had): what a watch's label filter is matched against.
 */
export type HistoryListener = (user: GmailUser, record: HistoryRecord, labelIds: string[]) => void;

export class GmailStore {
  readonly users = new Map<string, GmailUser>();
  private counter = 0;
  /** Users made on first touch with a few messages each (the fleet benchmark's); none by default. */
  generated: GeneratedUsers | null = null;
  private readonly listeners: HistoryListener[] = [];

  /** Calls `listener` after each new history record (the push notifications start there). */
  onHistory(listener: HistoryListener): void {
    this.listeners.push(listener);
  }

  private append(user: GmailUser, record: HistoryRecord, labelIds: string[]): void {
    user.history.push(record);
    for (const listener of this.listeners) {
      listener(user, record, labelIds);
    }
  }

  user(email: string): GmailUser {
    const key = email.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      user = {
        email: key,
        messages: new Map(),
        byMessageIdHeader: new Map(),
        history: [],
        historyId: 1000 + Math.floor(Math.random() * 1000),
        minHistoryId: 0,
        userLabels: new Map(),
      };
      this.users.set(key, user);
      for (const raw of this.generated?.messagesOf(key) ?? []) {
        this.addMessage(key, raw);
      }
    }
    return user;
  }

  private nextHistoryId(user: GmailUser): number {
    // Gmail history ids rise but are not contiguous.
    user.historyId += 1 + (this.counter++ % 3);
    return user.historyId;
  }

  /**
   * Files a message. `receivedAt` is its internalDate when Gmail itself accepted it (a send, a
   * delivery); otherwise the Date header gives it, as for imported mail.
   */
  addMessage(
    email: string,
    raw: Buffer,
    labelIds?: string[],
    options: { thread?: ThreadPlacement; receivedAt?: number } = {},
  ): StoredMessage {
    const thread = options.thread ?? 'by-references';
    const user = this.user(email);
    const block = headerBlock(raw);
    const messageIdHeader = /<[^<>\s]+>/.exec(header(block, 'message-id') ?? '')?.[0] ?? null;
    const references = [
      ...(header(block, 'references')?.match(/<[^<>\s]+>/g) ?? []),
      ...(header(block, 'in-reply-to')?.match(/<[^<>\s]+>/g) ?? []),
    ];
    const date = Date.parse(header(block, 'date') ?? '');
    const from = header(block, 'from')?.toLowerCase() ?? '';
    const id = createHash('sha1')
      .update(`${user.email}\n${String(this.counter++)}\n`)
      .update(raw)
      .digest('hex')
      .slice(0, 16);
    // Gmail threads by references; a message answering a known one joins its thread.
    let threadId = typeof thread === 'object' ? thread.threadId : id;
    for (const ref of thread === 'by-references' ? references : []) {
      const parent = user.byMessageIdHeader.get(ref);
      if (parent) {
        threadId = parent.threadId;
        break;
      }
    }
    const message: StoredMessage = {
      id,
      threadId,
      labelIds: labelIds ?? (from.includes(user.email) ? ['SENT'] : ['INBOX', 'UNREAD']),
      raw,
      internalDate: options.receivedAt ?? (Number.isNaN(date) ? Date.now() : date),
      historyId: 0,
      messageIdHeader,
      references,
    };
    message.historyId = this.nextHistoryId(user);
    user.messages.set(id, message);
    if (messageIdHeader && !user.byMessageIdHeader.has(messageIdHeader)) {
      user.byMessageIdHeader.set(messageIdHeader, message);
    }
    this.append(user, { id: message.historyId, type: 'messageAdded', message }, message.labelIds);
    return message;
  }

  deleteMessage(email: string, id: string): boolean {
    const user = this.user(email);
    const message = user.messages.get(id);
    if (!message) {
      return false;
    }
    user.messages.delete(id);
    const header = message.messageIdHeader;
    if (header && user.byMessageIdHeader.get(header) === message) {
      // Another copy of the same Message-ID, if any, threads replies from now on.
      const next = [...user.messages.values()].find((m) => m.messageIdHeader === header);
      if (next) {
        user.byMessageIdHeader.set(header, next);
      } else {
        user.byMessageIdHeader.delete(header);
      }
    }
    this.append(
      user,
      {
        id: this.nextHistoryId(user),
        type: 'messageDeleted',
        message: { id, threadId: message.threadId },
      },
      message.labelIds,
    );
    return true;
  }

  relabel(email: string, id: string, add: string[], remove: string[]): StoredMessage | null {
    const user = this.user(email);
    const message = user.messages.get(id);
    if (!message) {
      return null;
    }
    const added = add.filter((l) => !message.labelIds.includes(l));
    const removed = remove.filter((l) => message.labelIds.includes(l));
    message.labelIds = [...message.labelIds.filter((l) => !removed.includes(l)), ...added];
    if (added.length > 0) {
      message.historyId = this.nextHistoryId(user);
      this.append(
        user,
        { id: message.historyId, type: 'labelAdded', message, labelIds: added },
        message.labelIds,
      );
    }
    if (removed.length > 0) {
      message.historyId = this.nextHistoryId(user);
      this.append(
        user,
        { id: message.historyId, type: 'labelRemoved', message, labelIds: removed },
        [...message.labelIds, ...removed],
      );
    }
    return message;
  }

  /** Forgets all history up to now: any earlier start id is answered with 404. */
  expireHistory(email: string): void {
    const user = this.user(email);
    user.history = [];
    user.minHistoryId = user.historyId;
  }

  /** Messages newest first, as messages.list returns them. */
  listNewestFirst(email: string): StoredMessage[] {
    return [...this.user(email).messages.values()].sort(
      (a, b) => b.internalDate - a.internalDate || b.id.localeCompare(a.id),
    );
  }
}
