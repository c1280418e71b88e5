import { simpleParser } from 'mailparser';
import { MAILPARSER_OPTIONS } from '../src/mail/parse-mime.ts';

/**
 * Bare mailparser over the same messages, one thread, same options: the efficiency baseline.
 * Only the parses are timed, so messages may come from anywhere (memory, files) one at a time;
 * callers hand them over lazily so that no benchmark process holds a whole corpus for it.
 */
export async function parseOnlySeconds(
  raws: Iterable<Buffer> | AsyncIterable<Buffer>,
): Promise<number> {
  let seconds = 0;
  for await (const raw of raws) {
    const start = performance.now();
    await simpleParser(raw, MAILPARSER_OPTIONS);
    seconds += (performance.now() - start) / 1000;
  }
  return seconds;
}

export const round = (n: number): number => Math.round(n * 100) / 100;

export const peakRssMb = (): number => round(process.resourceUsage().maxRSS / 1024);
