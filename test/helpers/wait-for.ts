import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for a real signal (a row stored, a job's state, a key back in Redis), polling it, up to a
 * generous bound that only a broken behaviour reaches; the assertion is the signal, not the time.
 */
export async function waitFor(
  condition: () => Promise<boolean>,
  what: string,
  boundMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what} after ${boundMs / 1000} s`);
    }
    await sleep(100);
  }
}
