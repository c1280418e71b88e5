import type { MailboxContext } from './mailbox-context.ts';

/** The mailbox a batch of mail or calendar changes is written for, with the rules that apply. */
export interface MailboxTarget {
  workspaceId: string;
  mailboxId: string;
  mailboxEmail: string;
  context: MailboxContext;
}
