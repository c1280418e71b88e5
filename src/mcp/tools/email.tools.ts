import { z } from 'zod';
import { emailListQuery, searchEmailPage } from '../../services/email-list-query.ts';
import { getEmail, getEmailThread } from '../../services/emails.ts';
import {
  sendMessageFields,
  sendWorkspaceMessage,
  toSendInput,
  withSendRules,
} from '../../services/messages.ts';
import { createSendDeps } from '../../app/send-deps.ts';
import { defineTool } from '../tool.ts';

const emailId = z.object({ id: z.uuid().describe('email id') });

/** `POST /api/v1/messages`'s body plus the Idempotency-Key, which a tool call passes as input. */
const sendInput = withSendRules(
  sendMessageFields.extend({
    idempotencyKey: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('a retried call with the same key returns the first result and never sends twice'),
  }),
);

export const emailTools = [
  defineTool({
    name: 'crm.email.search',
    title: 'Search emails',
    description:
      'Emails of the workspace, newest first, or best match first with q (full-text over subject, ' +
      'body, names and addresses). Filters: mailboxId, personId, companyId, personEmail, ' +
      'companyDomain, direction, after, before. Page with limit and the nextCursor it returns.',
    input: emailListQuery,
    run: ({ scope }, input) => searchEmailPage(scope, input),
  }),
  defineTool({
    name: 'crm.email.get',
    title: 'Get an email',
    description:
      'One email with its text body, sanitised HTML, attachments (names, types, sizes) and invitation.',
    input: emailId,
    run: ({ scope }, input) => getEmail(scope, input.id),
  }),
  defineTool({
    name: 'crm.email.thread',
    title: 'Email thread',
    description: 'The conversation an email is part of, oldest first.',
    input: emailId,
    run: async ({ scope }, input) => ({ items: await getEmailThread(scope, input.id) }),
  }),
  defineTool({
    name: 'crm.email.send',
    title: 'Send an email',
    description:
      "Sends mail through one of the workspace's mailboxes (Gmail or Outlook), in the thread of " +
      'inReplyToEmailId when given; track.opens / track.clicks instrument the HTML part. Pass an ' +
      'idempotencyKey so that a retry never sends twice. Returns the stored email id, its ' +
      'Message-ID, the provider id and the thread key.',
    input: sendInput,
    run: ({ scope, services }, input) =>
      sendWorkspaceMessage(
        scope,
        createSendDeps(services),
        toSendInput(input),
        input.idempotencyKey ?? null,
      ),
  }),
];
