/**
 * This process's clicks of the last click-burst window, per email, from the moment each is
 * classified. The stored clicks a token lookup reads miss those still queued in the hit writer
 * (and those committed after the lookup's snapshot), so the burst rule would see a scanner's
 * clicks one by one and call each human; adding these back keeps it exact within the process.
 * A click counted twice (here and read back from the table) is harmless: the rule counts distinct
 * links, and a click whose store failed still counts (it was still a request for the link).
 * Bounded: entries older than the window are dropped as the map is used.
 */
export interface RecentClick {
  at: Date;
  url: string;
}

export interface RecentClicks {
  add(emailId: string, click: RecentClick): void;
  /** The email's clicks at or after `since`. */
  since(emailId: string, since: Date): RecentClick[];
}

/** Full sweeps of stale emails happen once per this many additions. */
const SWEEP_EVERY = 1000;

export function createRecentClicks(windowMs: number, now: () => number = Date.now): RecentClicks {
  const byEmail = new Map<string, RecentClick[]>();
  let added = 0;

  const fresh = (clicks: RecentClick[]) => {
    const cutoff = now() - windowMs;
    return clicks.filter((c) => c.at.getTime() >= cutoff);
  };

  const sweep = () => {
    for (const [emailId, clicks] of byEmail) {
      const kept = fresh(clicks);
      if (kept.length === 0) {
        byEmail.delete(emailId);
      } else {
        byEmail.set(emailId, kept);
      }
    }
  };

  return {
    add(emailId, click) {
      byEmail.set(emailId, [...fresh(byEmail.get(emailId) ?? []), click]);
      if (++added % SWEEP_EVERY === 0) {
        sweep();
      }
    },
    since(emailId, since) {
      return (byEmail.get(emailId) ?? []).filter((c) => c.at.getTime() >= since.getTime());
    },
  };
}
