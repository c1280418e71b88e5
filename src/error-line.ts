import { ConfigError } from './config.ts';
import { MailroomError } from './errors.ts';

/**
 * The one line every Mailroom process prints when it stops on an error, whether the CLI, `npm
 * start` or `npm run worker`: `error: <message>` on stderr, then exit 1. Domain and configuration
 * errors are already written for the operator; anything else keeps its class name, never a stack
 * or a secret.
 */
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

export function exitWithErrorLine(err: unknown): never {
  process.stderr.write(`error: ${errorLine(err).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
