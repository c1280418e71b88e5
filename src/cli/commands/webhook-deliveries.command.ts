import type { Command } from 'commander';
import { z } from 'zod';
import { webhookDeliveries } from '../../webhooks/webhook-admin.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

const limitSchema = z.coerce
  .number({ message: 'must be a whole number from 1 to 1000' })
  .int({ message: 'must be a whole number from 1 to 1000' })
  .min(1, { message: 'must be a whole number from 1 to 1000' })
  .max(1000, { message: 'must be a whole number from 1 to 1000' });

/** Newest first; `--event ID` shows that delivery with its per-attempt log. */
export function registerWebhookDeliveries(cmd: Command): void {
  cmd
    .requiredOption('--webhook <id>', 'webhook id')
    .option('--event <id>', 'only this event, with every attempt (status, duration, error, body)')
    .option('--limit <n>', 'at most this many deliveries (default 100)', '100')
    .action(async (opts: { webhook: string; event?: string; limit: string }) => {
      const webhookId = parseFlag('webhook', uuidSchema, opts.webhook);
      const limit = parseFlag('limit', limitSchema, opts.limit);
      const { deliveries } = await withContext(({ em }) =>
        webhookDeliveries(em, webhookId, { limit, eventId: opts.event }),
      );
      printResult({ deliveries });
    });
}
