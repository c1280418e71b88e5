/** Gmail quota units per method (provider-apis.md §A.9): the regime is the Cloud project's. */
export type GmailQuotaRegime = 'old' | 'new';

export const GMAIL_COSTS: Record<
  GmailQuotaRegime,
  {
    get: number;
    list: number;
    history: number;
    profile: number;
    send: number;
    unitsPerMinute: number;
  }
> = {
  old: { get: 5, list: 5, history: 2, profile: 1, send: 100, unitsPerMinute: 15_000 },
  new: { get: 20, list: 5, history: 2, profile: 1, send: 100, unitsPerMinute: 6_000 },
};
