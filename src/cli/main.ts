import { Command, CommanderError } from 'commander';
import { registerCalendar } from './commands/calendar.command.ts';
import { registerExport } from './commands/export.command.ts';
import { registerIngestEml } from './commands/ingest-eml.command.ts';
import { registerKeysRotate } from './commands/keys-rotate.command.ts';
import { registerMailboxConnect } from './commands/mailbox-connect.command.ts';
import { registerMailboxStatus } from './commands/mailbox-status.command.ts';
import { registerMigrate } from './commands/migrate.command.ts';
import { registerSync } from './commands/sync.command.ts';
import { registerWorkspaceCreate } from './commands/workspace-create.command.ts';
import { InvalidInputError } from '../errors.ts';
import { fail } from './output.ts';

/** `npm run --silent mailroom -- <command> [flags]`: one JSON document on stdout, or one error line. */
const program = new Command('mailroom')
  .description('Mailroom: email and calendar sync and enrichment for a CRM')
  .exitOverride()
  .configureOutput({
    // Commander's own messages ("unknown option", "missing required option") become our one line.
    writeErr: () => undefined,
    outputError: () => undefined,
  });

registerMigrate(program);
registerWorkspaceCreate(program);
registerMailboxConnect(program);
registerMailboxStatus(program);
registerIngestEml(program);
registerExport(program);
registerSync(program);
registerCalendar(program);
registerKeysRotate(program);
(await import('./commands/mailbox-connect-url.command.ts')).registerMailboxConnectUrl(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
      process.exit(0);
    }
    fail(new InvalidInputError(err.message.replace(/^error:\s*/, '')));
  }
  fail(err);
}
