import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import {
  findOutboundByKey,
  finishOutbound,
  insertOutbound,
  saveOutboundProgress,
  takeOutbound,
  type OutboundRecord,
} from '../db/repositories/outbound-message.repository.ts';
import { findReplyTarget } from '../db/repositories/reply-target.repository.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import { loadIngestTarget, type IngestTarget } from '../ingest/load-ingest-target.ts';
import type { ParsePool } from '../mail/parse-pool.ts';
import type { MailSender, SentMessage } from '../providers/mail-sender.ts';
import { ProviderError } from '../providers/provider-error.ts';
import type { ProviderMailbox } from '../providers/registry.ts';
import type { TrackingSigner } from '../tracking/tracking-token.ts';
import {
  buildOutgoing,
  storedOutgoingSchema,
  toOutgoing,
  type SendInput,
  type StoredOutgoing,
} from './build-outgoing.ts';
import { storeSentCopy } from './store-sent-copy.ts';

/**
 * Sends one message through the mailbox's provider and stores it at once (product.md, "Sending
 * and tracking"). With an Idempotency-Key the send happens at most once per key:
 *
 * - the first request inserts the send record (`sending`) before anything goes out;
 * - a retry of a sent one answers the first result; of a running one, 409 `SEND_IN_PROGRESS`;
 * - an attempt that ended without knowing (a timeout: the provider may have sent it) is
 *   `unknown`; a retry once `reconcileAfterMs` has passed asks the provider whether the message
 *   exists (MailSender.reconcile) and only sends when it does not; earlier, it is 409 too;
 * - a provider refusal (nothing sent) is `failed`, and a retry tries again;
 * - an attempt whose process died holds `sending` until `staleAfterMs`, then is treated as unknown.
 */
export interface SendDeps {
  em: EntityManager;
  parsePool: ParsePool;
  senderFor: (mailbox: ProviderMailbox) => MailSender;
  signer: TrackingSigner | null;
  publicUrl: string;
  reconcileAfterMs: number;
  staleAfterMs: number;
}

export interface SendResult {
  id: string;
  internetMessageId: string;
  providerMessageId: string | null;
  threadKey: string;
}

type Record_ = OutboundRecord<StoredOutgoing>;

export async function sendMessage(
  deps: SendDeps,
  workspaceId: string,
  input: SendInput,
  idempotencyKey: string | null,
): Promise<SendResult> {
  const mailbox = await findMailbox(deps.em, input.mailboxId);
  if (!mailbox || mailbox.workspaceId !== workspaceId) {
    throw new NotFoundError(`mailbox ${input.mailboxId} not found`);
  }
  if (mailbox.status === 'disconnected') {
    throw new MailroomError('CONFLICT', `mailbox ${mailbox.email} is disconnected`);
  }
  if (mailbox.status === 'reauth_required') {
    throw new MailroomError(
      'REAUTH_REQUIRED',
      `mailbox ${mailbox.email} must be reconnected before it can send`,
    );
  }
  const provider: ProviderMailbox = {
    id: mailbox.id,
    provider: mailbox.provider,
    credentials: mailbox.credentials,
  };
  const target = await loadIngestTarget(deps.em, workspaceId, mailbox.id);
  const requestHash = hashRequest(input);

  if (idempotencyKey !== null) {
    const existing = await findOutboundByKey(
      deps.em,
      workspaceId,
      idempotencyKey,
      storedOutgoingSchema,
    );
    if (existing) {
      return resume(deps, target, provider, existing, requestHash);
    }
  }
  const outgoing = await build(deps, workspaceId, target, mailbox.email, input);
  const inserted = await insertOutbound(deps.em, {
    id: outgoing.sendId,
    workspaceId,
    mailboxId: mailbox.id,
    idempotencyKey,
    requestHash,
    message: outgoing,
  });
  if (!inserted && idempotencyKey !== null) {
    // Another request with this key inserted first, between our read and our insert.
    const winner = await findOutboundByKey(
      deps.em,
      workspaceId,
      idempotencyKey,
      storedOutgoingSchema,
    );
    if (winner) {
      return resume(deps, target, provider, winner, requestHash);
    }
  }
  return attempt(deps, target, provider, outgoing, outgoing.sendId);
}

function hashRequest(input: SendInput): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

async function build(
  deps: SendDeps,
  workspaceId: string,
  target: IngestTarget,
  from: string,
  input: SendInput,
): Promise<StoredOutgoing> {
  let reply = null;
  if (input.inReplyToEmailId !== null) {
    reply = await findReplyTarget(deps.em, workspaceId, input.inReplyToEmailId, input.mailboxId);
    if (!reply) {
      throw new NotFoundError(`email ${input.inReplyToEmailId} not found`);
    }
  }
  if ((input.track.opens || input.track.clicks) && !deps.signer) {
    throw new MailroomError(
      'INVALID_INPUT',
      'track: tracking is not configured on this deployment (MAILROOM_TRACKING_KEYS)',
    );
  }
  return buildOutgoing(input, {
    from: { email: from },
    mailbox: target.context,
    signer: deps.signer,
    publicUrl: deps.publicUrl,
    reply,
  });
}

async function resume(
  deps: SendDeps,
  target: IngestTarget,
  provider: ProviderMailbox,
  record: Record_,
  requestHash: string,
): Promise<SendResult> {
  if (record.requestHash !== requestHash || record.mailboxId !== provider.id) {
    throw new MailroomError(
      'CONFLICT',
      'this Idempotency-Key was used for a different request; use a new key for a new message',
    );
  }
  if (record.status === 'sent') {
    return resultOf(record);
  }
  const age = Date.now() - record.attemptStartedAt.getTime();
  const settled =
    record.status === 'failed' ||
    (record.status === 'unknown' && age >= deps.reconcileAfterMs) ||
    (record.status === 'sending' && age >= deps.staleAfterMs);
  if (!settled) {
    const waitS = Math.ceil(
      Math.max(0, (record.status === 'unknown' ? deps.reconcileAfterMs : deps.staleAfterMs) - age) /
        1000,
    );
    throw new MailroomError(
      'SEND_IN_PROGRESS',
      record.status === 'sending'
        ? `a send with this Idempotency-Key is in progress; retry in ${waitS} s`
        : `the outcome of the first attempt is not known yet; retry in ${waitS} s (it will not be sent twice)`,
    );
  }
  if (!(await takeOutbound(deps.em, record.id, record))) {
    throw new MailroomError(
      'SEND_IN_PROGRESS',
      'another request with this Idempotency-Key took it over; retry shortly',
    );
  }
  if (record.status !== 'failed') {
    const sender = deps.senderFor(provider);
    let found: SentMessage | null;
    try {
      found = await sender.reconcile(
        toOutgoing(record.message),
        record.progress,
        record.attemptStartedAt,
      );
    } catch (err) {
      await settleFailure(deps, record.id, err, 'unknown');
      throw err;
    }
    if (found) {
      return finish(deps, target, record.message, found);
    }
  }
  return attempt(deps, target, provider, record.message, record.id);
}

async function attempt(
  deps: SendDeps,
  target: IngestTarget,
  provider: ProviderMailbox,
  outgoing: StoredOutgoing,
  recordId: string,
): Promise<SendResult> {
  const sender = deps.senderFor(provider);
  let sent: SentMessage;
  try {
    sent = await sender.send(toOutgoing(outgoing), (progress) =>
      saveOutboundProgress(deps.em, recordId, { ...progress }),
    );
  } catch (err) {
    await settleFailure(deps, recordId, err, 'failed');
    throw err;
  }
  return finish(deps, target, outgoing, sent);
}

async function finish(
  deps: SendDeps,
  target: IngestTarget,
  outgoing: StoredOutgoing,
  sent: SentMessage,
): Promise<SendResult> {
  const stored = await storeSentCopy(deps.em, deps.parsePool, target, outgoing, sent);
  await finishOutbound(deps.em, outgoing.sendId, {
    status: 'sent',
    internetMessageId: sent.internetMessageId,
    providerMessageId: sent.providerMessageId,
    emailId: stored.emailId,
    threadKey: stored.threadKey,
  });
  return {
    id: stored.emailId,
    internetMessageId: sent.internetMessageId,
    providerMessageId: sent.providerMessageId,
    threadKey: stored.threadKey,
  };
}

function resultOf(record: Record_): SendResult {
  return {
    id: record.emailId ?? '',
    internetMessageId: record.internetMessageId ?? record.message.internetMessageId,
    providerMessageId: record.providerMessageId,
    threadKey: record.threadKey ?? '',
  };
}

/**
 * Records how an attempt ended and throws what the caller should answer. A transient failure
 * (timeout, 5xx, connection lost) may have happened after the provider sent the message, so the
 * record becomes `unknown`; any refusal means nothing was sent (`failed`, retried as new).
 * `whenRefused` is what a refusal leaves when reconciling (the record stays unknown: the
 * provider was asked nothing conclusive).
 */
async function settleFailure(
  deps: SendDeps,
  recordId: string,
  err: unknown,
  whenRefused: 'failed' | 'unknown',
): Promise<never> {
  const mapped = mapSendError(err);
  const status = err instanceof ProviderError && err.kind !== 'TRANSIENT' ? whenRefused : 'unknown';
  await finishOutbound(deps.em, recordId, {
    status,
    error: { code: mapped.code, message: mapped.message },
  });
  throw mapped;
}

function mapSendError(err: unknown): MailroomError {
  if (!(err instanceof ProviderError)) {
    return new MailroomError(
      'SEND_OUTCOME_UNKNOWN',
      'sending failed unexpectedly; retry with the same Idempotency-Key to find out whether it was sent',
    );
  }
  switch (err.kind) {
    case 'SCOPE_MISSING':
      return new MailroomError(
        'SEND_NOT_PERMITTED',
        `${err.message}: reconnect the mailbox (GET /api/v1/connect/{provider}) to grant sending`,
      );
    case 'AUTH_REVOKED':
      return new MailroomError('REAUTH_REQUIRED', `${err.message}: reconnect the mailbox`);
    case 'RATE_LIMITED':
      return new MailroomError('RATE_LIMITED', `${err.message}; nothing was sent, retry later`);
    case 'NOT_FOUND':
    case 'CURSOR_INVALID':
    case 'PERMANENT':
      return new MailroomError('SEND_REFUSED', `the provider refused the message: ${err.message}`);
    case 'TRANSIENT':
      return new MailroomError(
        'SEND_OUTCOME_UNKNOWN',
        `${err.message}; the message may have been sent: retry with the same Idempotency-Key, which checks before sending again`,
      );
  }
}
