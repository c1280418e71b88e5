import { ActivitySchema } from './activity.entity.ts';
import {
  CalendarCursorSchema,
  CalendarEventAttendeeSchema,
  CalendarEventSchema,
} from './calendar-event.entity.ts';
import { CompanySchema } from './company.entity.ts';
import { EmailParticipantSchema, EmailSchema } from './email.entity.ts';
import { MailboxSchema } from './mailbox.entity.ts';
import { MessageFailureSchema } from './message-failure.entity.ts';
import { OutboxEventSchema } from './outbox-event.entity.ts';
import { PersonEmailSchema, PersonSchema } from './person.entity.ts';
import { WorkspaceSchema } from './workspace.entity.ts';

export const ENTITIES = [
  WorkspaceSchema,
  MailboxSchema,
  CompanySchema,
  PersonSchema,
  PersonEmailSchema,
  EmailSchema,
  EmailParticipantSchema,
  ActivitySchema,
  CalendarEventSchema,
  CalendarEventAttendeeSchema,
  CalendarCursorSchema,
  OutboxEventSchema,
  MessageFailureSchema,
];
