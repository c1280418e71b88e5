import { domainOf } from '../addresses/address.ts';
import { parseDisplayName, type PersonName } from '../addresses/display-name.ts';
import { companyDomainFor, excludedAddressReason, type MailboxContext } from './mailbox-context.ts';
import type { ParticipantSkipReason } from './skip-reasons.ts';

/**
 * The enrichment rules of product.md applied to a meeting, as a pure function: organizer and
 * attendees are who a meeting is "with". The owner, internal domains, blocked addresses, role and
 * no-reply organizers and rooms never create records. The mailbox's policy maps as for mail:
 * `sent_and_received` creates people from every meeting, `sent` only from meetings the owner
 * organizes (the owner reached out), `none` from none; existing people are linked regardless.
 */

/**
 * What the rules read of a meeting, in the shape provider adapters already map events to; declared
 * here so the rules do not depend on the provider port.
 */
export type CalendarResponse = 'needsAction' | 'accepted' | 'declined' | 'tentative';

export interface MeetingPeople {
  organizer: { email: string; name: string } | null;
  attendees: readonly {
    email: string;
    name: string;
    responseStatus: CalendarResponse;
    optional: boolean;
    /** A room or piece of equipment, never a person. */
    resource: boolean;
  }[];
}

export interface ClassifiedEventPerson {
  email: string;
  displayName: string;
  name: PersonName;
  role: 'organizer' | 'attendee';
  responseStatus: CalendarResponse;
  optional: boolean;
  linkable: boolean;
  create: boolean;
  skipReason: ParticipantSkipReason | null;
  companyDomain: string | null;
}

/** Google's own calendars (rooms, groups, holidays) answer as addresses but are not people. */
const CALENDAR_SYSTEM_DOMAIN = /(^|\.)calendar\.google\.com$/;

export function classifyEventPeople(
  event: MeetingPeople,
  ctx: MailboxContext,
): ClassifiedEventPerson[] {
  const entries = new Map<
    string,
    Omit<ClassifiedEventPerson, 'name' | 'linkable' | 'create' | 'skipReason' | 'companyDomain'> & {
      resource: boolean;
    }
  >();
  if (event.organizer) {
    entries.set(event.organizer.email, {
      email: event.organizer.email,
      displayName: event.organizer.name,
      role: 'organizer',
      responseStatus: 'accepted',
      optional: false,
      resource: false,
    });
  }
  for (const a of event.attendees) {
    const organizer = entries.get(a.email);
    entries.set(a.email, {
      email: a.email,
      displayName: a.name || organizer?.displayName || '',
      role: organizer ? 'organizer' : 'attendee',
      responseStatus: a.responseStatus,
      optional: a.optional,
      resource: a.resource,
    });
  }

  const ownerOrganizes = event.organizer ? ctx.ownerAddresses.has(event.organizer.email) : false;
  const policy = ctx.settings.autoCreatePolicy;
  const policyAllows = policy === 'sent_and_received' || (policy === 'sent' && ownerOrganizes);
  const creating = new Set<string>();

  return [...entries.values()].map(({ resource, ...entry }): ClassifiedEventPerson => {
    const base = {
      ...entry,
      name: parseDisplayName(entry.displayName, entry.email),
      companyDomain: null,
    };
    const skip = (skipReason: ParticipantSkipReason, linkable: boolean): ClassifiedEventPerson => ({
      ...base,
      linkable,
      create: false,
      skipReason,
    });
    if (resource || CALENDAR_SYSTEM_DOMAIN.test(domainOf(entry.email))) {
      return skip('resource', false);
    }
    const excluded = excludedAddressReason(ctx, entry.email);
    if (excluded) {
      return skip(excluded, false);
    }
    if (!policyAllows) {
      return skip('policy', true);
    }
    if (creating.size >= ctx.settings.maxParticipantsCreating) {
      return skip('participant_cap', true);
    }
    creating.add(entry.email);
    const companyDomain = companyDomainFor(ctx, entry.email);
    return { ...base, linkable: true, create: true, skipReason: null, companyDomain };
  });
}
