import { z } from 'zod';
import { emailListQuery, searchEmailPage } from '../../services/email-list-query.ts';
import { getEmail, getEmailThread } from '../../services/emails.ts';
import { defineTool } from '../tool.ts';

const emailId = z.object({ id: z.uuid().describe('email id') });

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
];
