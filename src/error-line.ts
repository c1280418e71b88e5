import { ConfigError } from './config.ts';
import { MailroomError } from './errors.ts';

/**
 * The one line every Mailroom process prints when it stops on an error, whether the CLI, `npm
 * start` or `npm run worker`: `error: <message>` on stderr, then exit 1. Domain and configuration
 * errors are already written for the operator; anything else keeps its class name, never a stack
 * or a secret.
 */
export function errorLine(err: unknown): string {
  return withoutErrorPrefix(describe(err));
}

function describe(err: unknown): string {
  if (err instanceof ConfigError || err instanceof MailroomError) {
    return err.message;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || (err as { errors?: unknown }).errors !== undefined) {
      return `cannot connect: ${err.message.split('\n')[0] ?? err.name}`;
    }
    const first = err.message.split('\n')[0] ?? '';
    // A plain Error's name says nothing; a specific class's (TypeError, a driver's) does.
    return err.name === 'Error' || first === '' ? first || err.name : `${err.name}: ${first}`;
  }
  return String(err);
}

/** `error: ` is printed once: a message that already starts with `Error: ` (or several) loses it. */
const withoutErrorPrefix = (line: string): string => line.replace(/^(?:error:\s*)+/i, '');

export function exitWithErrorLine(err: unknown): never {
  process.stderr.write(`error: ${errorLine(err).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
