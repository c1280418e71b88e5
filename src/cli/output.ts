import { ConfigError } from '../config.ts';
import { MailroomError } from '../errors.ts';

/**
 * The CLI contract: exactly one JSON document on stdout and exit 0, or one line on stderr and a
 * non-zero exit. Unexpected errors keep a specific class name (not `Error`), never a stack or a secret.
 */
export function printResult(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

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

export function fail(err: unknown): never {
  process.stderr.write(`error: ${errorLine(err).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
