import { errorLine, exitWithErrorLine } from '../error-line.ts';

/**
 * The CLI contract: exactly one JSON document on stdout and exit 0, or one line on stderr and a
 * non-zero exit. The line is the one every process prints (src/error-line.ts).
 */
export function printResult(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export { errorLine };

export function fail(err: unknown): never {
  exitWithErrorLine(err);
}
