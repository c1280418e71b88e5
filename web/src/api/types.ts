/** Names for the API's response shapes, taken from the generated document types. */
import type { paths } from './schema';

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type EmailSummary = Json<'/api/v1/emails', 'get'>['items'][number];
export type EmailDetail = Json<'/api/v1/emails/{id}', 'get'>;
export type Person = Json<'/api/v1/people/{id}', 'get'>;
export type Company = Json<'/api/v1/companies/{id}', 'get'>;
export type Activity = Json<'/api/v1/people/{id}/timeline', 'get'>['items'][number];
export type Meeting = Json<'/api/v1/calendar', 'get'>['items'][number];
export type Mailbox = Json<'/api/v1/mailboxes', 'get'>['items'][number];
export type Webhook = Json<'/api/v1/webhooks', 'get'>['items'][number];
export type Delivery = Json<'/api/v1/webhooks/{id}/deliveries', 'get'>['items'][number];
export type InboxQuery = NonNullable<paths['/api/v1/emails']['get']['parameters']['query']>;
