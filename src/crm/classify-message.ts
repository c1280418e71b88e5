import type { EmailDirection, ParticipantRole } from './email-roles.ts';
import type { MessageAddress, NormalizedMessage } from '../mail/normalized-message.ts';
import { normalizeAddress } from '../addresses/address.ts';
import { parseDisplayName, type PersonName } from '../addresses/display-name.ts';
import { companyDomainFor, excludedAddressReason, type MailboxContext } from './mailbox-context.ts';
import type { MessageSkipReason, ParticipantSkipReason } from './skip-reasons.ts';

/**
 * The enrichment rules of product.md as one pure function: given a message and the mailbox it was
 * seen in, decide its direction, whether it reaches the CRM at all, and for each participant
 * whether it may link to an existing person (`linkable`) and whether it creates one (`create`).
 */
export interface ClassifiedParticipant {
  role: ParticipantRole;
  address: string;
  displayName: string;
  position: number;
  linkable: boolean;
  create: boolean;
  skipReason: ParticipantSkipReason | null;
  name: PersonName;
  /** Registrable, non-personal domain the person's company is keyed on (null: no company). */
  companyDomain: string | null;
}

export interface ClassifiedMessage {
  direction: EmailDirection;
  crmSkipReason: MessageSkipReason | null;
  participants: ClassifiedParticipant[];
  invalidAddresses: string[];
}

const ROLES: readonly ParticipantRole[] = ['from', 'to', 'cc', 'bcc'];

function addressesOf(message: NormalizedMessage, role: ParticipantRole): MessageAddress[] {
  return message[role];
}

function messageSkipReason(
  message: NormalizedMessage,
  ctx: MailboxContext,
): MessageSkipReason | null {
  const a = message.automation;
  if (ctx.settings.skipAutomated) {
    // A report the bounce parser read counts too: Exchange and Gmail send theirs as plain text.
    if (a.dsn || message.bounce !== null) {
      return 'delivery_status';
    }
    if (a.markers.includes('auto_reply')) {
      return 'auto_reply';
    }
    if (a.autoReply) {
      return 'automated';
    }
  }
  return ctx.settings.skipBulk && a.bulk ? 'bulk' : null;
}

function mayCreate(direction: EmailDirection, role: ParticipantRole, ctx: MailboxContext): boolean {
  const policy = ctx.settings.autoCreatePolicy;
  if (direction === 'inbound') {
    return role === 'from' && policy === 'sent_and_received';
  }
  return role !== 'from' && policy !== 'none';
}

/**
 * `providerSaysSent`: the provider filed the message as sent by the owner (Gmail's SENT label),
 * which also covers aliases nobody configured.
 */
export function classifyMessage(
  message: NormalizedMessage,
  ctx: MailboxContext,
  providerSaysSent = false,
): ClassifiedMessage {
  const invalidAddresses: string[] = [];
  const entries: { role: ParticipantRole; address: string; displayName: string }[] = [];
  const seen = new Set<string>();
  for (const role of ROLES) {
    for (const { address: raw, name } of addressesOf(message, role)) {
      const address = normalizeAddress(raw);
      if (!address) {
        invalidAddresses.push(raw);
        continue;
      }
      if (!seen.has(`${role} ${address}`)) {
        seen.add(`${role} ${address}`);
        entries.push({ role, address, displayName: name.trim() });
      }
    }
  }

  const direction: EmailDirection =
    providerSaysSent || entries.some((e) => e.role === 'from' && ctx.ownerAddresses.has(e.address))
      ? 'outbound'
      : 'inbound';
  const automatedReason = messageSkipReason(message, ctx);
  const creating = new Set<string>();

  const participants = entries.map((entry, position): ClassifiedParticipant => {
    const base = {
      ...entry,
      position,
      name: parseDisplayName(entry.displayName, entry.address),
      companyDomain: null,
    };
    const skip = (skipReason: ParticipantSkipReason, linkable: boolean): ClassifiedParticipant => ({
      ...base,
      linkable,
      create: false,
      skipReason,
    });
    const excluded = excludedAddressReason(ctx, entry.address);
    if (excluded) {
      return skip(excluded, false);
    }
    if (automatedReason) {
      return skip('automated_message', true);
    }
    if (!mayCreate(direction, entry.role, ctx)) {
      return skip('policy', true);
    }
    if (!creating.has(entry.address) && creating.size >= ctx.settings.maxParticipantsCreating) {
      return skip('participant_cap', true);
    }
    creating.add(entry.address);
    const companyDomain = companyDomainFor(ctx, entry.address);
    return { ...base, linkable: true, create: true, skipReason: null, companyDomain };
  });

  let crmSkipReason: MessageSkipReason | null = automatedReason;
  if (!crmSkipReason) {
    const external = participants.filter(
      (p) => p.skipReason !== 'owner' && p.skipReason !== 'internal',
    );
    if (participants.length > 0 && external.length === 0) {
      crmSkipReason = 'all_internal';
    } else if (!participants.some((p) => p.linkable)) {
      crmSkipReason = 'no_external_participants';
    }
  }
  return { direction, crmSkipReason, participants, invalidAddresses };
}
