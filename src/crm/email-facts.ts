/**
 * What an `email.*` event says about the email it is about (events/catalog.ts `emailBase`, less
 * the person): carried by the reply and bounce rules so their events need no second lookup.
 */
export interface EmailFacts {
  emailId: string;
  mailboxId: string;
  mailboxEmail: string;
  internetMessageId: string | null;
  threadKey: string;
  subject: string;
  sentAt: string | null;
}
