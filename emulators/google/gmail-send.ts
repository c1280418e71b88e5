import { randomBytes } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { googleError, NOT_FOUND, type GoogleErrorBody } from './google-error.ts';
import type { SentLog } from './gmail-sent-log.ts';
import type { GmailStore, StoredMessage, ThreadPlacement } from './gmail-store.ts';
import { addressesOf } from './mail-addresses.ts';
import { editHeaders } from './mime-header-edit.ts';

/**
 * What `users.messages.send` does with a message once the request is accepted
 * (provider-apis.md §H.1): recipients come from the To, Cc and Bcc headers; Gmail stamps its own
 * Message-ID and adds Date and From when missing; the sender's copy is filed under SENT (plus
 * INBOX and UNREAD when addressed to self) and keeps its Bcc line; every recipient who is a user of
 * this emulator gets a copy in INBOX, UNREAD, without the Bcc line. `threadId` is honoured only
 * when the message answers one in that thread with the same subject; otherwise, and always without
 * `threadId`, the message starts a new thread.
 */
export type SendOutcome =
  { ok: true; message: StoredMessage } | { ok: false; status: number; body: GoogleErrorBody };

const invalid = (message: string): SendOutcome => ({
  ok: false,
  status: 400,
  body: googleError(400, 'invalidArgument', message),
});

const parse = (raw: Buffer): Promise<ParsedMail> =>
  simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });

/** Gmail's ids look like `<CA+…@mail.gmail.com>`; random, so no two sends share one. */
function gmailMessageId(): string {
  return `<CA+${randomBytes(30).toString('base64')}@mail.gmail.com>`;
}

/** RFC 5322 date-time in UTC. */
function rfc5322Now(): string {
  return new Date().toUTCString().replace(/GMT$/, '+0000');
}

/** A subject without its reply and forward prefixes, for comparing a reply with its thread. */
function baseSubject(subject: string | undefined): string {
  return (subject ?? '')
    .replace(/^(\s*(re|fwd?|aw)\s*:\s*)+/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

function referencedIds(parsed: ParsedMail): string[] {
  const text = [parsed.inReplyTo ?? '', ...[parsed.references ?? []].flat()].join(' ');
  return text.match(/<[^<>\s]+>/g) ?? [];
}

export class GmailSender {
  private readonly store: GmailStore;
  private readonly sentLog: SentLog;

  constructor(store: GmailStore, sentLog: SentLog) {
    this.store = store;
    this.sentLog = sentLog;
  }

  async send(sender: string, raw: Buffer, threadId: string | undefined): Promise<SendOutcome> {
    const parsed = await parse(raw);
    const recipients: string[] = [];
    for (const [name, field] of [
      ['To', parsed.to],
      ['Cc', parsed.cc],
      ['Bcc', parsed.bcc],
    ] as const) {
      const { emails, valid } = addressesOf(field);
      if (!valid) {
        return invalid(`Invalid ${name} header`);
      }
      recipients.push(...emails);
    }
    if (recipients.length === 0) {
      return invalid('Recipient address required');
    }
    const placement =
      threadId === undefined ? 'new' : await this.placement(sender, parsed, threadId);
    if (placement === null) {
      return { ok: false, status: 404, body: NOT_FOUND };
    }
    const stamped = editHeaders(raw, {
      remove: ['message-id'],
      add: [
        ['Message-ID', gmailMessageId()],
        ...(parsed.headers.has('date') ? [] : [['Date', rfc5322Now()] as [string, string]]),
        ...(parsed.headers.has('from') ? [] : [['From', sender] as [string, string]]),
      ],
    });
    // The time Gmail took the message, not its Date header, which the sender may have set long ago.
    const receivedAt = Date.now();
    const toSelf = recipients.includes(sender);
    const message = this.store.addMessage(
      sender,
      stamped,
      toSelf ? ['SENT', 'INBOX', 'UNREAD'] : ['SENT'],
      { thread: placement, receivedAt },
    );
    const delivered = editHeaders(stamped, { remove: ['bcc'] });
    for (const recipient of new Set(recipients)) {
      if (recipient !== sender && this.store.users.has(recipient)) {
        this.store.addMessage(recipient, delivered, ['INBOX', 'UNREAD'], { receivedAt });
      }
    }
    this.sentLog.record(sender, message);
    return { ok: true, message };
  }

  /**
   * The named thread when Gmail's criteria hold (it is the sender's, the message references one
   * of its messages, the subjects match), a new thread when they do not, null when the sender has
   * no such thread.
   */
  private async placement(
    sender: string,
    parsed: ParsedMail,
    threadId: string,
  ): Promise<ThreadPlacement | null> {
    const thread = [...this.store.user(sender).messages.values()].filter(
      (m) => m.threadId === threadId,
    );
    if (thread.length === 0) {
      return null;
    }
    const refs = referencedIds(parsed);
    if (!thread.some((m) => m.messageIdHeader !== null && refs.includes(m.messageIdHeader))) {
      return 'new';
    }
    const subject = baseSubject(parsed.subject);
    const subjects = await Promise.all(
      thread.map(async (m) => baseSubject((await parse(m.raw)).subject)),
    );
    return subjects.includes(subject) ? { threadId } : 'new';
  }
}
