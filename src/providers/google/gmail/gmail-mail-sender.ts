import type { gmail_v1 } from '@googleapis/gmail';
import { createGmailApi } from './gmail-api.ts';
import type { OAuth2Client } from 'google-auth-library';
import type { Limiter } from '../../quota-limiter.ts';
import {
  sentButUnconfirmed,
  type MailSender,
  type OutgoingMessage,
  type SendProgress,
  type SentMessage,
} from '../../mail-sender.ts';
import { GoogleCaller } from '../google-caller.ts';
import { GMAIL_COSTS, type GmailQuotaRegime } from './gmail-costs.ts';

/**
 * MailSender over Gmail's `users.messages.send` (provider-apis.md §H.1): the raw message as JSON
 * (`raw`, with the replied-to message's `threadId` so the sender's copy joins its thread), then
 * the Message-ID read back, because Gmail replaces the one the message was written with.
 *
 * Reconciling an unknown outcome: Gmail keeps every other header, so the sent copies since the
 * attempt are searched for this send's `X-Mailroom-Send-Id`.
 */
export interface GmailMailSenderOptions {
  auth: OAuth2Client;
  rootUrl: string | undefined;
  limiter: Limiter;
  regime: GmailQuotaRegime;
  timeoutMs: number;
}

export const SEND_ID_HEADER = 'X-Mailroom-Send-Id';

/** Sent copies looked at when reconciling: far more than one rep sends in the window. */
const RECONCILE_SCAN = 100;

export class GmailMailSender implements MailSender {
  private readonly api: gmail_v1.Gmail;
  private readonly caller: GoogleCaller;
  private readonly costs: (typeof GMAIL_COSTS)[GmailQuotaRegime];

  constructor(options: GmailMailSenderOptions) {
    this.api = createGmailApi(options);
    this.caller = new GoogleCaller(options.auth, options.limiter);
    this.costs = GMAIL_COSTS[options.regime];
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const threadId = message.replyTo?.providerThreadId;
    const res = await this.caller.call(
      this.costs.send,
      'send',
      () =>
        this.api.users.messages.send({
          userId: 'me',
          requestBody: {
            raw: message.raw.toString('base64url'),
            ...(threadId ? { threadId } : {}),
          },
        }),
      'unsafe',
    );
    const id = res.data.id;
    try {
      if (!id) {
        throw new Error('Gmail accepted the message but returned no id');
      }
      return await this.readBack(id, res.data.threadId ?? null, message);
    } catch (err) {
      throw sentButUnconfirmed(err);
    }
  }

  async reconcile(
    message: OutgoingMessage,
    _progress: SendProgress,
    since: Date,
  ): Promise<SentMessage | null> {
    // A minute of slack for the clocks of Gmail and this host.
    const after = Math.floor(since.getTime() / 1000) - 60;
    const list = await this.caller.call(this.costs.list, 'other', () =>
      this.api.users.messages.list({
        userId: 'me',
        q: `in:sent after:${after}`,
        maxResults: RECONCILE_SCAN,
      }),
    );
    for (const ref of list.data.messages ?? []) {
      if (!ref.id) {
        continue;
      }
      const headers = await this.headersOf(ref.id, [SEND_ID_HEADER, 'Message-ID']);
      if (headers.get(SEND_ID_HEADER.toLowerCase()) === message.sendId) {
        return {
          providerMessageId: ref.id,
          providerThreadId: ref.threadId ?? null,
          internetMessageId: headers.get('message-id') ?? message.internetMessageId,
        };
      }
    }
    return null;
  }

  private async readBack(
    id: string,
    threadId: string | null,
    message: OutgoingMessage,
  ): Promise<SentMessage> {
    const headers = await this.headersOf(id, ['Message-ID']);
    return {
      providerMessageId: id,
      providerThreadId: threadId,
      internetMessageId: headers.get('message-id') ?? message.internetMessageId,
    };
  }

  private async headersOf(id: string, names: string[]): Promise<Map<string, string>> {
    const res = await this.caller.call(this.costs.get, 'message', () =>
      this.api.users.messages.get({
        userId: 'me',
        id,
        format: 'metadata',
        metadataHeaders: names,
      }),
    );
    const found = new Map<string, string>();
    for (const h of res.data.payload?.headers ?? []) {
      if (h.name && h.value) {
        found.set(h.name.toLowerCase(), h.value.trim());
      }
    }
    return found;
  }
}
