import type { FastifyInstance } from 'fastify';

/** Pieces of the two emulator programs (`npm run emulator:gmail`, `npm run emulator:graph`). */

/** `--user email=dir` arguments: each user and, optionally, a folder of .eml files to load. */
export function userSpecs(values: readonly string[]): { email: string; dir: string | undefined }[] {
  return values.map((spec) => {
    const [email = '', dir] = spec.split('=');
    return { email, dir };
  });
}

/** Stops serving cleanly when the program is asked to end (Ctrl-C, or a process manager). */
export function closeOnSignals(app: FastifyInstance): void {
  process.once('SIGTERM', () => void app.close());
  process.once('SIGINT', () => void app.close());
}
