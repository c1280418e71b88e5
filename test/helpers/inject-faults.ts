import type { GmailEmulator } from '../../emulators/google/gmail-emulator.ts';

// Named through the emulator object, which both emulators share, not through the file that
// defines the injector, so this helper does not depend on where the emulators keep it.
type FaultInjector = GmailEmulator['faults'];
type FaultSpec = Parameters<FaultInjector['add']>[0];

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
