/**
 * Fault injection: the next `count` requests whose path matches get the given status (with an
 * optional Retry-After) or a delay before the normal answer.
 */
export interface FaultSpec {
  /** Regular expression matched against the request path. */
  path: string;
  method?: string;
  status?: number;
  reason?: string;
  retryAfterSeconds?: number;
  delayMs?: number;
  count?: number;
}

export class FaultInjector {
  private faults: (FaultSpec & { remaining: number; regex: RegExp })[] = [];
  /** Faults served so far, so a test can prove its faults actually fired. */
  fired = 0;

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count ?? 1, regex: new RegExp(spec.path) });
  }

  clear(): void {
    this.faults = [];
  }

  take(method: string, path: string): FaultSpec | null {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && f.regex.test(path) && (!f.method || f.method === method),
    );
    if (!fault) {
      return null;
    }
    fault.remaining--;
    this.fired++;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return fault;
  }
}
