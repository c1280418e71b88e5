import { isbot } from 'isbot';
import type { IpRangeMatcher } from './ip-ranges.ts';
import type { TrackingKind } from './tracking-token.ts';

/**
 * Classifies one pixel or click hit as `human` or `machine` (product.md, "Sending and tracking").
 * The first rule that fires gives the reason; a human hit has `reason: null`.
 *
 * 1. `head-request`: browsers never send HEAD for an image or a link; scanners and link checkers do.
 * 2. `image-proxy` / `link-scanner`: a user agent of a known mail image proxy or link scanner
 *    (MACHINE_USER_AGENTS, each with its source), then `bot-user-agent`: `isbot` (a maintained
 *    list of crawlers, HTTP libraries and headless browsers), or no user agent at all.
 * 3. `proxy-ip:<name>`: an address in a shipped range list (Apple MPP, Microsoft EOP, ...).
 * 4. `too-soon`: sooner after the send than a person can open and read the mail.
 * 5. `click-burst`: a click that, with the message's other clicks in the last few seconds, covers
 *    every link of a message with two or more links: a scanner following each link in turn.
 *
 * Link scanners (Defender Safe Links/Safe Attachments, Proofpoint, Mimecast, Barracuda) mostly
 * send an ordinary desktop Chrome user agent, so they are caught by rules 3-5, not by rule 2.
 */
export type HitReason =
  | 'head-request'
  | 'image-proxy'
  | 'link-scanner'
  | 'bot-user-agent'
  | `proxy-ip:${string}`
  | 'too-soon'
  | 'click-burst';

export interface Hit {
  kind: TrackingKind;
  method: string;
  userAgent: string | null | undefined;
  ip: string;
  at: Date;
  sentAt: Date;
  /** The clicked link (click hits). */
  url?: string;
  /** Earlier clicks on the same message and recipient, any classification. */
  recentClicks?: readonly { at: Date; url: string }[];
  /** Distinct tracked links in the message. */
  linksInMessage?: number;
}

export interface Classification {
  classification: 'human' | 'machine';
  reason: HitReason | null;
}

export interface ClassifierOptions {
  matchIp?: IpRangeMatcher;
  /** Hits sooner than this after the send are machines. Default 5, at most 10 (product.md). */
  tooSoonSeconds?: number;
  /** Window of a click burst. Default 5 seconds. */
  burstSeconds?: number;
}

/** User agents `isbot` does not name precisely enough, with where each form was found. */
export const MACHINE_USER_AGENTS: readonly {
  pattern: RegExp;
  reason: 'image-proxy' | 'link-scanner';
  name: string;
  source: string;
}[] = [
  {
    // "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    pattern: /GoogleImageProxy/i,
    reason: 'image-proxy',
    name: 'gmail',
    source:
      'darkvisitors.com/agents/googleimageproxy; Gmail image proxy write-ups quoting "via ggpht.com GoogleImageProxy"',
  },
  {
    // "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"
    pattern: /YahooMailProxy/i,
    reason: 'image-proxy',
    name: 'yahoo',
    source:
      'Yahoo help article SLN28749, as listed by crawlerdex.tn3w.dev/YahooMailProxy and botcrawl.com',
  },
];

const MAX_TOO_SOON_SECONDS = 10;

const machine = (reason: HitReason): Classification => ({ classification: 'machine', reason });

export function createHitClassifier(options: ClassifierOptions = {}): (hit: Hit) => Classification {
  const tooSoonMs = Math.min(options.tooSoonSeconds ?? 5, MAX_TOO_SOON_SECONDS) * 1000;
  const burstMs = (options.burstSeconds ?? 5) * 1000;
  const matchIp = options.matchIp ?? (() => null);

  return (hit) => {
    if (hit.method.toUpperCase() === 'HEAD') {
      return machine('head-request');
    }

    const ua = hit.userAgent?.trim() ?? '';
    if (ua === '') {
      return machine('bot-user-agent');
    }
    const known = MACHINE_USER_AGENTS.find((m) => m.pattern.test(ua));
    if (known) {
      return machine(known.reason);
    }
    if (isbot(ua)) {
      return machine('bot-user-agent');
    }

    const list = matchIp(hit.ip);
    if (list) {
      return machine(`proxy-ip:${list}`);
    }

    if (hit.at.getTime() - hit.sentAt.getTime() < tooSoonMs) {
      return machine('too-soon');
    }

    const linksInMessage = hit.linksInMessage ?? 0;
    if (hit.kind === 'click' && linksInMessage >= 2) {
      const since = hit.at.getTime() - burstMs;
      const urls = new Set(
        (hit.recentClicks ?? [])
          .filter((c) => c.at.getTime() >= since && c.at.getTime() <= hit.at.getTime())
          .map((c) => c.url),
      );
      if (hit.url !== undefined) {
        urls.add(hit.url);
      }
      if (urls.size >= linksInMessage) {
        return machine('click-burst');
      }
    }

    return { classification: 'human', reason: null };
  };
}
