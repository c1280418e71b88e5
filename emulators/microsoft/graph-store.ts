import { createHash } from 'node:crypto';
import type { GraphMessageJson } from './graph-message-json.ts';

/**
 * In-memory mailboxes of the Graph emulator: folders with well-known names, messages as Graph
 * JSON plus their MIME, and a per-mailbox change log that delta tokens point into. Expiring a
 * mailbox's delta state makes every outstanding token answer 410 syncStateNotFound.
 */
export const WELL_KNOWN_FOLDERS = [
  'inbox',
  'sentitems',
  'drafts',
  'deleteditems',
  'junkemail',
  'archive',
] as const;
export type WellKnownFolder = (typeof WELL_KNOWN_FOLDERS)[number];

const FOLDER_NAMES: Record<WellKnownFolder, string> = {
  inbox: 'Inbox',
  sentitems: 'Sent Items',
  drafts: 'Drafts',
  deleteditems: 'Deleted Items',
  junkemail: 'Junk Email',
  archive: 'Archive',
};

export interface StoredGraphMessage {
  id: string;
  folderId: string;
  json: GraphMessageJson;
  mime: Buffer;
  headers: { name: string; value: string }[];
}

export type ChangeRecord = {
  seq: number;
  messageId: string;
  folderId: string;
  kind: 'upsert' | 'removed';
};

export interface GraphMailbox {
  email: string;
  userId: string;
  folders: Map<string, { id: string; wellKnown: WellKnownFolder; displayName: string }>;
  messages: Map<string, StoredGraphMessage>;
  changes: ChangeRecord[];
  seq: number;
  /** Delta tokens carry the generation they were issued in; expiring starts a new one. */
  generation: number;
}

/**
 * A message change as change notifications see it: `created`, `updated` or `deleted` in a folder.
 * A move is a deletion from the old folder and a creation in the new one, both `moved`.
 */
export interface MailChange {
  messageId: string;
  folder: WellKnownFolder;
  changeType: 'created' | 'updated' | 'deleted';
  moved: boolean;
}

const opaqueId = (prefix: string, value: string) =>
  `${prefix}${createHash('sha256').update(value).digest('base64url').slice(0, 40)}`;

export class GraphStore {
  readonly mailboxes = new Map<string, GraphMailbox>();
  private counter = 0;
  private readonly listeners: ((mb: GraphMailbox, change: MailChange) => void)[] = [];

  /** Calls `listener` after each change (change notifications start there). */
  onChange(listener: (mb: GraphMailbox, change: MailChange) => void): void {
    this.listeners.push(listener);
  }

  mailbox(email: string): GraphMailbox {
    const key = email.toLowerCase();
    let mb = this.mailboxes.get(key);
    if (!mb) {
      mb = {
        email: key,
        userId: opaqueId('', `user:${key}`).slice(0, 36),
        folders: new Map(),
        messages: new Map(),
        changes: [],
        seq: 0,
        generation: 0,
      };
      for (const wellKnown of WELL_KNOWN_FOLDERS) {
        const id = opaqueId('AQMkAD', `${key}:${wellKnown}`);
        mb.folders.set(id, { id, wellKnown, displayName: FOLDER_NAMES[wellKnown] });
      }
      this.mailboxes.set(key, mb);
    }
    return mb;
  }

  /** A folder by id or well-known name. */
  folder(mb: GraphMailbox, idOrName: string) {
    const lower = idOrName.toLowerCase();
    return (
      mb.folders.get(idOrName) ??
      [...mb.folders.values()].find((f) => f.wellKnown === lower) ??
      null
    );
  }

  private record(
    mb: GraphMailbox,
    messageId: string,
    folderId: string,
    changeType: MailChange['changeType'],
    moved = false,
  ) {
    mb.seq++;
    const kind = changeType === 'deleted' ? 'removed' : 'upsert';
    mb.changes.push({ seq: mb.seq, messageId, folderId, kind });
    const folder = mb.folders.get(folderId)?.wellKnown;
    if (folder) {
      for (const listener of this.listeners) {
        listener(mb, { messageId, folder, changeType, moved });
      }
    }
  }

  add(
    email: string,
    folder: WellKnownFolder,
    json: Omit<GraphMessageJson, 'id' | 'parentFolderId'>,
    mime: Buffer,
    headers: { name: string; value: string }[],
  ): StoredGraphMessage {
    const mb = this.mailbox(email);
    const target = this.folder(mb, folder);
    if (!target) {
      throw new Error(`no folder ${folder}`);
    }
    const id = opaqueId(
      'AAMkAD',
      `${mb.email}:${String(this.counter++)}:${json.internetMessageId ?? ''}`,
    );
    const stored: StoredGraphMessage = {
      id,
      folderId: target.id,
      json: { ...json, id, parentFolderId: target.id },
      mime,
      headers,
    };
    mb.messages.set(id, stored);
    this.record(mb, id, target.id, 'created');
    return stored;
  }

  /** Rewrites a message in place (a draft being edited): same id and folder, a new change. */
  replace(
    email: string,
    id: string,
    json: Omit<GraphMessageJson, 'id' | 'parentFolderId'>,
    mime: Buffer,
    headers: { name: string; value: string }[],
  ): StoredGraphMessage | null {
    const mb = this.mailbox(email);
    const message = mb.messages.get(id);
    if (!message) {
      return null;
    }
    message.json = { ...json, id, parentFolderId: message.folderId };
    message.mime = mime;
    message.headers = headers;
    this.record(mb, id, message.folderId, 'updated');
    return message;
  }

  delete(email: string, id: string): boolean {
    const mb = this.mailbox(email);
    const message = mb.messages.get(id);
    if (!message) {
      return false;
    }
    mb.messages.delete(id);
    this.record(mb, id, message.folderId, 'deleted');
    return true;
  }

  /** Moving keeps the id here (as with `Prefer: IdType="ImmutableId"`); the old folder sees a removal. */
  move(email: string, id: string, folder: WellKnownFolder): StoredGraphMessage | null {
    const mb = this.mailbox(email);
    const message = mb.messages.get(id);
    const target = this.folder(mb, folder);
    if (!message || !target) {
      return null;
    }
    this.record(mb, id, message.folderId, 'deleted', true);
    message.folderId = target.id;
    message.json = { ...message.json, parentFolderId: target.id };
    this.record(mb, id, target.id, 'created', true);
    return message;
  }

  markRead(email: string, id: string, isRead: boolean): StoredGraphMessage | null {
    const mb = this.mailbox(email);
    const message = mb.messages.get(id);
    if (!message) {
      return null;
    }
    message.json = { ...message.json, isRead };
    this.record(mb, id, message.folderId, 'updated');
    return message;
  }

  expireDeltaTokens(email: string): void {
    const mb = this.mailbox(email);
    mb.generation++;
  }
}
