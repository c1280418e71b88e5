import { simpleParser } from 'mailparser';
import { MAILPARSER_OPTIONS } from '../src/mail/parse-mime.ts';

/** Bare mailparser over the same messages, one thread, same options: the efficiency baseline. */
export async function parseOnlySeconds(raws: readonly Buffer[]): Promise<number> {
  const start = performance.now();
  for (const raw of raws) {
    await simpleParser(raw, MAILPARSER_OPTIONS);
  }
  return (performance.now() - start) / 1000;
}

export const round = (n: number): number => Math.round(n * 100) / 100;

export const peakRssMb = (): number => round(process.resourceUsage().maxRSS / 1024);
