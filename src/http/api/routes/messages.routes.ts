import { z } from 'zod';
import { createSendDeps } from '../../../app/send-deps.ts';
import {
  sendMessageBody,
  sendMessageResult,
  sendWorkspaceMessage,
  toSendInput,
} from '../../../services/messages.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, conflict, errorBodySchema, notFound } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

const headers = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('a retried request with the same key returns the first result and never sends twice'),
});

/** `POST /messages`: sends mail through the mailbox's provider. */
export const messageRoutes: ApiRoutes = (app, deps) => {
  app.post(
    '/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Sends a message through the mailbox (tracked when asked)',
        headers,
        body: sendMessageBody,
        response: {
          201: sendMessageResult,
          ...commonErrors,
          403: errorBodySchema.describe(
            'the mailbox was connected without permission to send; reconnect it',
          ),
          ...notFound,
          ...conflict,
          422: errorBodySchema.describe('the provider refused the message; nothing was sent'),
          502: errorBodySchema.describe(
            'the outcome is unknown (e.g. a timeout); retry with the same Idempotency-Key',
          ),
        },
      },
    },
    async (req, reply) => {
      const result = await sendWorkspaceMessage(
        scopeOf(req),
        createSendDeps(deps.services),
        toSendInput(req.body),
        req.headers['idempotency-key'] ?? null,
      );
      return reply.code(201).send(result);
    },
  );
};
