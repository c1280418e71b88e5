import { domainOf, isDomainOrSubdomain, normalizeAddress } from '../addresses/address.ts';
import { isFreemailDomain, registrableDomain } from '../addresses/domains.ts';
import type { EnrichmentSettings } from './enrichment-settings.ts';
import { isRoleAddress } from '../addresses/role-address.ts';
import type { ParticipantSkipReason } from './skip-reasons.ts';

/**
 * What the rules need to know about the mailbox a message was seen in: who the owner is, which
 * domains are internal, what is blocked, and the resolved settings.
 */
export interface MailboxContext {
  ownerAddresses: ReadonlySet<string>;
  internalDomains: readonly string[];
  blockedAddresses: ReadonlySet<string>;
  blockedDomains: readonly string[];
  settings: EnrichmentSettings;
}

export interface MailboxContextInput {
  mailboxEmail: string;
  aliases: readonly string[];
  workspaceInternalDomains: readonly string[];
  blocklist: readonly string[];
  settings: EnrichmentSettings;
}

export function buildMailboxContext(input: MailboxContextInput): MailboxContext {
  const owners = [input.mailboxEmail, ...input.aliases]
    .map((a) => normalizeAddress(a))
    .filter((a): a is string => a !== null);
  const internal = new Set(input.workspaceInternalDomains.map((d) => d.trim().toLowerCase()));
  // The owner's own domain is internal unless it is a personal one (a rep on gmail.com does not
  // make every gmail.com sender a colleague).
  for (const owner of owners) {
    const domain = domainOf(owner);
    if (!isFreemailDomain(domain, input.settings)) {
      internal.add(domain);
    }
  }
  const blockedAddresses = new Set<string>();
  const blockedDomains: string[] = [];
  for (const entry of input.blocklist) {
    const value = entry.trim().toLowerCase().replace(/^@/, '');
    if (value.includes('@')) {
      const normalized = normalizeAddress(value);
      if (normalized) {
        blockedAddresses.add(normalized);
      }
    } else if (value) {
      blockedDomains.push(value);
    }
  }
  return {
    ownerAddresses: new Set(owners),
    internalDomains: [...internal].filter((d) => d !== ''),
    blockedAddresses,
    blockedDomains,
    settings: input.settings,
  };
}

export function isInternalAddress(ctx: MailboxContext, address: string): boolean {
  const domain = domainOf(address);
  return ctx.internalDomains.some((d) => isDomainOrSubdomain(domain, d));
}

export function isBlocked(ctx: MailboxContext, address: string): boolean {
  const domain = domainOf(address);
  return (
    ctx.blockedAddresses.has(address) ||
    ctx.blockedDomains.some((d) => isDomainOrSubdomain(domain, d))
  );
}

/**
 * Why an address never gets a CRM record from this mailbox, whatever message or meeting it is on:
 * the owner, a colleague, a blocked address or domain, a role or no-reply address. Null when none.
 */
export function excludedAddressReason(
  ctx: MailboxContext,
  address: string,
): Extract<ParticipantSkipReason, 'owner' | 'internal' | 'blocklisted' | 'role_address'> | null {
  if (ctx.ownerAddresses.has(address)) {
    return 'owner';
  }
  if (isInternalAddress(ctx, address)) {
    return 'internal';
  }
  if (isBlocked(ctx, address)) {
    return 'blocklisted';
  }
  return isRoleAddress(address, ctx.settings) ? 'role_address' : null;
}

/** The company a new person at this address joins: its registrable, non-personal domain. */
export function companyDomainFor(ctx: MailboxContext, address: string): string | null {
  const domain = domainOf(address);
  const registrable = registrableDomain(domain);
  return ctx.settings.createCompanies && registrable && !isFreemailDomain(domain, ctx.settings)
    ? registrable
    : null;
}
