import { Command, CommanderError } from 'commander';
import { InvalidInputError } from '../errors.ts';
import { commandNamed, COMMANDS } from './command-list.ts';
import { flagsTakenByNpm, npmFlagsMessage } from './npm-flags.ts';
import { fail } from './output.ts';

/**
 * `npx mailroom <command> [flags]` or `npm run --silent mailroom -- <command> [flags]`: one JSON
 * document on stdout, or one error line. Only the module of the command being run is imported
 * (command-list.ts); the others are listed by name and description for `--help`.
 */
const program = new Command('mailroom')
  .description('Mailroom: email and calendar sync and enrichment for a CRM')
  .exitOverride()
  .configureOutput({
    // Commander's own messages ("unknown option", "missing required option") become our one line.
    writeErr: () => undefined,
    outputError: () => undefined,
  });

try {
  const args = process.argv.slice(2);
  const wanted = commandNamed(args);
  for (const entry of COMMANDS) {
    const cmd = program.command(entry.name).description(entry.description);
    if (entry === wanted) {
      (await entry.load())(cmd);
      const taken = flagsTakenByNpm(
        cmd.options.map((o) => o.long ?? ''),
        process.env,
      );
      if (taken.length > 0) {
        throw new InvalidInputError(npmFlagsMessage(entry.name, taken));
      }
    }
  }
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
      process.exit(0);
    }
    // `help <command>` exits 0; a bare `mailroom` is the help shown as an error, on stderr.
    if (err.code === 'commander.help') {
      if (err.exitCode === 0) {
        process.exit(0);
      }
      fail(new InvalidInputError('no command given; mailroom --help lists them'));
    }
    fail(new InvalidInputError(err.message.replace(/^error:\s*/, '')));
  }
  fail(err);
}
