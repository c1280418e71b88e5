import type { Command } from 'commander';
import { deleteWebhook } from '../../webhooks/webhook-admin.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerWebhookDelete(cmd: Command): void {
  cmd.requiredOption('--webhook <id>', 'webhook id').action(async (opts: { webhook: string }) => {
    const webhookId = parseFlag('webhook', uuidSchema, opts.webhook);
    printResult(await withContext(({ em }) => deleteWebhook(em, webhookId)));
  });
}
