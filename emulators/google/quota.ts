/**
 * Per-user Gmail quota metering, with the cost tables of provider-apis.md §A.9. The window is a
 * sliding minute, sped up `scale` times (a 6 s window at scale 10) so a benchmark can meet the
 * ceiling in seconds instead of minutes.
 */
export type QuotaRegime = 'old' | 'new';

export const COST_TABLES: Record<QuotaRegime, Record<string, number>> = {
  old: {
    getProfile: 1,
    'labels.list': 1,
    'history.list': 2,
    'messages.list': 5,
    'messages.get': 5,
    'messages.attachments.get': 5,
    'threads.get': 10,
    'threads.list': 10,
    watch: 100,
    stop: 50,
    'messages.send': 100,
  },
  new: {
    getProfile: 1,
    'labels.list': 1,
    'history.list': 2,
    'messages.list': 5,
    'messages.get': 20,
    'messages.attachments.get': 20,
    'threads.get': 40,
    'threads.list': 10,
    watch: 100,
    stop: 50,
    'messages.send': 100,
  },
};

export const PER_USER_UNITS_PER_MINUTE: Record<QuotaRegime, number> = { old: 15_000, new: 6_000 };

export interface QuotaOptions {
  regime: QuotaRegime;
  scale: number;
}

export class QuotaMeter {
  private readonly windows = new Map<string, { at: number; units: number }[]>();
  readonly windowMs: number;
  readonly limit: number;
  private readonly costs: Record<string, number>;

  constructor(options: QuotaOptions) {
    this.windowMs = 60_000 / options.scale;
    this.limit = PER_USER_UNITS_PER_MINUTE[options.regime];
    this.costs = COST_TABLES[options.regime];
  }

  cost(method: string): number {
    return this.costs[method] ?? 1;
  }

  /** Charges the call if the user's window has room; returns false (throttle) otherwise. */
  tryCharge(user: string, method: string, now = Date.now()): boolean {
    const entries = (this.windows.get(user) ?? []).filter((e) => now - e.at < this.windowMs);
    const used = entries.reduce((sum, e) => sum + e.units, 0);
    const cost = this.cost(method);
    if (used + cost > this.limit) {
      this.windows.set(user, entries);
      return false;
    }
    entries.push({ at: now, units: cost });
    this.windows.set(user, entries);
    return true;
  }
}

/** The old-regime cost of a call, the unit the benchmark reports in. */
export function oldRegimeCost(method: string): number {
  return COST_TABLES.old[method] ?? 1;
}
