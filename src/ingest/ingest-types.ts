import type { NormalizedMessage } from '../mail/normalized-message.ts';
import type { MessageSkipReason, ParticipantSkipReason } from '../crm/skip-reasons.ts';

/** One message ready to persist: provider identity plus the normalised content. */
export interface IngestItem {
  providerMessageId: string;
  providerThreadId: string | null;
  labels: string[];
  message: NormalizedMessage;
}

export interface IngestCounters {
  emailsStored: number;
  emailsAlreadyStored: number;
  peopleCreated: number;
  companiesCreated: number;
  activitiesCreated: number;
  participantsLinked: number;
  messagesSkipped: Partial<Record<MessageSkipReason, number>>;
  participantsSkipped: Partial<Record<ParticipantSkipReason, number>>;
}

export function emptyCounters(): IngestCounters {
  return {
    emailsStored: 0,
    emailsAlreadyStored: 0,
    peopleCreated: 0,
    companiesCreated: 0,
    activitiesCreated: 0,
    participantsLinked: 0,
    messagesSkipped: {},
    participantsSkipped: {},
  };
}

export function addCounters(into: IngestCounters, from: IngestCounters): void {
  into.emailsStored += from.emailsStored;
  into.emailsAlreadyStored += from.emailsAlreadyStored;
  into.peopleCreated += from.peopleCreated;
  into.companiesCreated += from.companiesCreated;
  into.activitiesCreated += from.activitiesCreated;
  into.participantsLinked += from.participantsLinked;
  for (const [k, v] of Object.entries(from.messagesSkipped)) {
    const key = k as MessageSkipReason;
    into.messagesSkipped[key] = (into.messagesSkipped[key] ?? 0) + v;
  }
  for (const [k, v] of Object.entries(from.participantsSkipped)) {
    const key = k as ParticipantSkipReason;
    into.participantsSkipped[key] = (into.participantsSkipped[key] ?? 0) + v;
  }
}
