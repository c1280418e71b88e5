import type { ApiRoutes } from '../api-app.ts';
import { calendarRoutes } from './calendar.routes.ts';
import { companyRoutes } from './companies.routes.ts';
import { emailRoutes } from './emails.routes.ts';
import { engagementRoutes } from './engagements.routes.ts';
import { eventRoutes } from './events.routes.ts';
import { mailboxRoutes } from './mailboxes.routes.ts';
import { messageRoutes } from './messages.routes.ts';
import { peopleRoutes } from './people.routes.ts';
import { webhookRoutes } from './webhooks.routes.ts';

/** Every route module of `/api/v1`, one per resource. */
export const API_ROUTES: readonly ApiRoutes[] = [
  mailboxRoutes,
  emailRoutes,
  engagementRoutes,
  peopleRoutes,
  companyRoutes,
  calendarRoutes,
  webhookRoutes,
  eventRoutes,
  messageRoutes,
];
