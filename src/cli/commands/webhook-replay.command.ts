import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.ts';
import { replayWebhook } from '../../webhooks/replay-webhook.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseWindowBound } from '../time-flags.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

/** Sends settled deliveries again: one event, or every one queued since a time. */
export function registerWebhookReplay(cmd: Command): void {
  cmd
    .requiredOption('--webhook <id>', 'webhook id')
    .option('--event <id>', 'the event to send again')
    .option('--since <time>', 'every delivery since this date or ISO 8601 time')
    .action(async (opts: { webhook: string; event?: string; since?: string }) => {
      const webhookId = parseFlag('webhook', uuidSchema, opts.webhook);
      if ((opts.event === undefined) === (opts.since === undefined)) {
        throw new InvalidInputError('give exactly one of --event ID or --since TIME');
      }
      const which =
        opts.event !== undefined
          ? { eventId: opts.event }
          : { since: parseWindowBound('since', opts.since ?? '', 'start') };
      const result = await withContext(async ({ em, config, services }) => {
        await services.queueReady();
        return replayWebhook(
          { em, queue: services.webhookQueue(), config: config.webhooks },
          webhookId,
          which,
        );
      });
      printResult(result);
    });
}
