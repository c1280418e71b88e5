import { ConfigError } from '../config.ts';
import { MailroomError } from '../errors.ts';

/**
 * The CLI contract: exactly one JSON document on stdout and exit 0, or one line on stderr and a
 * non-zero exit. Unexpected errors keep their class name but never a stack or a secret.
 */
export function printResult(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function errorLine(err: unknown): string {
  if (err instanceof ConfigError || err instanceof MailroomError) {
    return err.message;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || (err as { errors?: unknown }).errors !== undefined) {
      return `cannot connect: ${err.message.split('\n')[0] ?? err.name}`;
    }
    return `${err.name}: ${err.message.split('\n')[0] ?? ''}`;
  }
  return String(err);
}

export function fail(err: unknown): never {
  process.stderr.write(`error: ${errorLine(err).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
