import type { Config } from '../config.ts';
import { ParsePool } from './parse-pool.ts';

export function createParsePool(config: Config): ParsePool {
  return new ParsePool({
    size: config.parser.workers,
    timeoutMs: config.parser.timeoutMs,
    limits: {
      maxMessageBytes: config.parser.maxMessageBytes,
      maxHeaderBytes: config.parser.maxHeaderBytes,
      maxTextBodyChars: config.ingest.maxTextBodyChars,
      maxHtmlBodyChars: config.ingest.maxHtmlBodyChars,
    },
  });
}
