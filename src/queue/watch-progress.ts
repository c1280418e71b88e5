import type { JobRun } from './job-definition.ts';

/**
 * Wraps a provider port (MailSource, CalendarSource) so that every call that settles, answered
 * or failed, counts as progress for the job's watchdog, and every call after the run was given up
 * fails at once with the reason. Provider-independent, so every adapter gets the same watchdog.
 */
export function watchProgress<T extends object>(port: T, run: JobRun): T {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') {
        return value;
      }
      return (...args: unknown[]): unknown => {
        if (run.signal.aborted) {
          throw run.signal.reason;
        }
        const result: unknown = Reflect.apply(value, target, args);
        if (result instanceof Promise) {
          return result.finally(() => {
            run.progress();
          });
        }
        return result;
      };
    },
  });
}
