import type { Command } from 'commander';
import { createWebhook } from '../../webhooks/create-webhook.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';
import { collect } from '../workspace-flags.ts';

/** Prints `{"id","secret"}`; the secret is shown this once and stored sealed. */
export function registerWebhookCreate(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--url <url>', 'the endpoint deliveries are POSTed to (http or https)')
    .option('--event <type>', 'an event type to send (repeatable; none: every type)', collect, [])
    .action(async (opts: { workspace: string; url: string; event: string[] }) => {
      const workspaceId = parseFlag('workspace', uuidSchema, opts.workspace);
      const result = await withContext(({ em, config, services }) =>
        createWebhook(
          { em, secretBox: services.secretBox(), egress: config.webhooks.egress },
          { workspaceId, url: opts.url, eventTypes: opts.event },
        ),
      );
      printResult(result);
    });
}
