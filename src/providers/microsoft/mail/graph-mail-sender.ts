import { RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import {
  sentButUnconfirmed,
  type MailSender,
  type OutgoingMessage,
  type Recipient,
  type SendProgress,
  type SentMessage,
} from '../../mail-sender.ts';
import { ProviderError } from '../../provider-error.ts';
import type { GraphRequester } from '../graph-requester.ts';

/**
 * MailSender over Microsoft Graph (provider-apis.md §H.2). `sendMail` answers 202 with no id and
 * no Message-ID, so Mailroom sends through a draft: the draft's 201 names its
 * `internetMessageId` (checkpointed before anything is sent), `/send` sends it, and the Sent
 * Items copy, a new item with the same `internetMessageId`, is then looked up by it.
 *
 * - A new message is a MIME draft (base64 MIME as text/plain): the same bytes Gmail gets, both
 *   parts and every header as built.
 * - A reply is a `createReply` draft of the stored original, so Exchange sets In-Reply-To and
 *   References and keeps the conversation (the JSON forms refuse those headers); the body, the
 *   recipients and the `x-mailroom-send-id` header are set on it.
 *
 * The SDK's RetryHandler is turned off on these requests: it would repeat a POST on a 503/504,
 * and a repeated `/send` whose first attempt went through is a second copy.
 */
export const NO_SDK_RETRY = [new RetryHandlerOptions(0, 0)];
const SEND_ID_HEADER = 'x-mailroom-send-id';
/** The Sent Items copy appears right after `/send` answers; looked for this many times. */
const LOOKUP_ATTEMPTS = 4;
const LOOKUP_BASE_DELAY_MS = 250;

interface GraphDraft {
  id: string;
  internetMessageId?: string;
  conversationId?: string;
}

interface FoundMessage {
  id: string;
  isDraft?: boolean;
  conversationId?: string;
  parentFolderId?: string;
}

const recipients = (list: readonly Recipient[]) =>
  list.map((r) => ({ emailAddress: { address: r.email, ...(r.name ? { name: r.name } : {}) } }));

/** OData string literal: a single quote is doubled. */
const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

export class GraphMailSender implements MailSender {
  private readonly graph: GraphRequester;
  private sentItemsId: string | null = null;

  constructor(graph: GraphRequester) {
    this.graph = graph;
  }

  async send(
    message: OutgoingMessage,
    checkpoint: (p: SendProgress) => Promise<void>,
  ): Promise<SentMessage> {
    const draft = message.replyTo
      ? await this.createReplyDraft(message, message.replyTo.providerMessageId)
      : await this.createMimeDraft(message);
    const internetMessageId = draft.internetMessageId ?? message.internetMessageId;
    await checkpoint({ draftId: draft.id, internetMessageId });
    await this.sendDraft(draft.id);
    try {
      return await this.sentCopy(internetMessageId, draft.conversationId ?? null);
    } catch (err) {
      throw sentButUnconfirmed(err);
    }
  }

  async reconcile(message: OutgoingMessage, progress: SendProgress): Promise<SentMessage | null> {
    const internetMessageId = progress.internetMessageId ?? message.internetMessageId;
    const found = await this.findByInternetMessageId(internetMessageId);
    const sent = found.find((m) => m.isDraft !== true);
    if (sent) {
      return this.resultOf(sent, internetMessageId);
    }
    // The draft was made but not sent (or its /send never arrived): sending it now is the
    // first send. A MIME draft made by an attempt that timed out is found by its Message-ID.
    const draftId = found.find((m) => m.isDraft === true)?.id ?? progress.draftId;
    if (!draftId) {
      return null;
    }
    try {
      await this.sendDraft(draftId);
    } catch (err) {
      // Gone: the earlier /send went through and consumed the draft; its copy shows up later.
      if (err instanceof ProviderError && err.kind === 'NOT_FOUND') {
        return { providerMessageId: null, providerThreadId: null, internetMessageId };
      }
      throw err;
    }
    try {
      return await this.sentCopy(internetMessageId, null);
    } catch (err) {
      throw sentButUnconfirmed(err);
    }
  }

  private createMimeDraft(message: OutgoingMessage): Promise<GraphDraft> {
    return this.graph.call(
      () =>
        this.graph.client
          .api('/me/messages')
          .middlewareOptions(NO_SDK_RETRY)
          .header('Content-Type', 'text/plain')
          .post(message.raw.toString('base64')) as Promise<GraphDraft>,
      'send',
    );
  }

  private async createReplyDraft(
    message: OutgoingMessage,
    originalId: string,
  ): Promise<GraphDraft> {
    const body = message.html
      ? { contentType: 'HTML', content: message.html }
      : { contentType: 'Text', content: message.text ?? '' };
    return this.graph.call(
      () =>
        this.graph.client
          .api(`/me/messages/${encodeURIComponent(originalId)}/createReply`)
          .middlewareOptions(NO_SDK_RETRY)
          .post({
            message: {
              subject: message.subject,
              body,
              toRecipients: recipients(message.to),
              ccRecipients: recipients(message.cc),
              bccRecipients: recipients(message.bcc),
              internetMessageHeaders: [{ name: SEND_ID_HEADER, value: message.sendId }],
            },
          }) as Promise<GraphDraft>,
      'send',
    );
  }

  private async sendDraft(draftId: string): Promise<void> {
    await this.graph.call(
      () =>
        this.graph.client
          .api(`/me/messages/${encodeURIComponent(draftId)}/send`)
          .middlewareOptions(NO_SDK_RETRY)
          .post(null) as Promise<unknown>,
      'send',
    );
  }

  /** The Sent Items copy, looked for a few times; null id when it is not visible yet. */
  private async sentCopy(
    internetMessageId: string,
    conversationId: string | null,
  ): Promise<SentMessage> {
    for (let attempt = 0; attempt < LOOKUP_ATTEMPTS; attempt++) {
      const sentItems = await this.sentItemsFolderId();
      const found = await this.findByInternetMessageId(internetMessageId);
      const copy =
        found.find((m) => m.parentFolderId === sentItems) ?? found.find((m) => m.isDraft === false);
      if (copy) {
        return this.resultOf(copy, internetMessageId);
      }
      await new Promise((resolve) => setTimeout(resolve, LOOKUP_BASE_DELAY_MS * 2 ** attempt));
    }
    return { providerMessageId: null, providerThreadId: conversationId, internetMessageId };
  }

  private resultOf(found: FoundMessage, internetMessageId: string): SentMessage {
    return {
      providerMessageId: found.id,
      providerThreadId: found.conversationId ?? null,
      internetMessageId,
    };
  }

  private async findByInternetMessageId(internetMessageId: string): Promise<FoundMessage[]> {
    const res = await this.graph.call(
      () =>
        this.graph.client
          .api('/me/messages')
          .filter(`internetMessageId eq ${odataString(internetMessageId)}`)
          .select(['id', 'isDraft', 'conversationId', 'parentFolderId'])
          .get() as Promise<{ value?: FoundMessage[] }>,
    );
    return res.value ?? [];
  }

  private async sentItemsFolderId(): Promise<string | null> {
    if (this.sentItemsId === null) {
      const folder = await this.graph.call(
        () =>
          this.graph.client.api('/me/mailFolders/sentitems').select(['id']).get() as Promise<{
            id?: string;
          }>,
      );
      this.sentItemsId = folder.id ?? null;
    }
    return this.sentItemsId;
  }
}
