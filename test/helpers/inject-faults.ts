import type { FaultInjector, FaultSpec } from '../../emulators/google/faults.ts';

/**
 * Adds faults to an emulator and returns how many have been served since: a fault test must prove
 * its faults fired, or it proves nothing. The emulator's counter spans the whole file, hence the
 * baseline taken here.
 */
export function injectFaults(faults: FaultInjector, ...specs: FaultSpec[]): () => number {
  const before = faults.fired;
  for (const spec of specs) {
    faults.add(spec);
  }
  return () => faults.fired - before;
}
