/** Which way a message went, seen from the mailbox that holds it. */
export type EmailDirection = 'inbound' | 'outbound';

/** The header field a participant was named in. */
export type ParticipantRole = 'from' | 'to' | 'cc' | 'bcc';
