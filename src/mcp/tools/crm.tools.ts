import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { calendarItems, calendarListQuery } from '../../services/calendar.ts';
import { getPerson, getPersonByEmail } from '../../services/people.ts';
import {
  companyTimelinePage,
  personTimelinePage,
  timelineQuery,
} from '../../services/timelines.ts';
import { defineTool } from '../tool.ts';

export const crmTools = [
  defineTool({
    name: 'crm.calendar.list',
    title: 'List meetings',
    description:
      'Meetings overlapping [from, to) (ISO instants, at most 366 days), one per logical occurrence, ' +
      'cancelled ones included with status cancelled; filters personId, personEmail, mailboxId.',
    input: calendarListQuery,
    run: ({ scope }, input) => calendarItems(scope, input),
  }),
  defineTool({
    name: 'crm.person.get',
    title: 'Get a person',
    description: 'A CRM person by id or by any of their email addresses (give one of the two).',
    input: z.object({
      id: z.uuid().optional().describe('person id'),
      email: z.string().max(320).optional().describe('any address of the person'),
    }),
    run: ({ scope }, input) => {
      if (input.id !== undefined) {
        return getPerson(scope, input.id);
      }
      if (input.email !== undefined) {
        return getPersonByEmail(scope, input.email);
      }
      throw new InvalidInputError('give id or email');
    },
  }),
  defineTool({
    name: 'crm.person.timeline',
    title: 'Person timeline',
    description:
      "A person's activities newest first (emails received, sent, replied, bounced; meetings), each " +
      'with its email or meeting. Page with limit and nextCursor.',
    input: timelineQuery.extend({ id: z.uuid().describe('person id') }),
    run: ({ scope }, { id, ...page }) => personTimelinePage(scope, id, page),
  }),
  defineTool({
    name: 'crm.company.timeline',
    title: 'Company timeline',
    description:
      "A company's activities newest first, across its people, each with its email or meeting.",
    input: timelineQuery.extend({ id: z.uuid().describe('company id') }),
    run: ({ scope }, { id, ...page }) => companyTimelinePage(scope, id, page),
  }),
];
