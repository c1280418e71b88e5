import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHitClassifier, type Hit } from '../../src/tracking/classify-hit.ts';
import { createIpRangeMatcher, loadIpRangeFiles } from '../../src/tracking/ip-ranges.ts';

const RANGES_DIR = new URL('../../data/tracking-ip-ranges/', import.meta.url).pathname;
const CORPUS = new URL(
  '../../fixtures/corpora/user-agents/isbot__user-agents-sample.json',
  import.meta.url,
);
const corpus = JSON.parse(readFileSync(CORPUS, 'utf8')) as {
  browsers: { family: string; ua: string }[];
  crawlers: { family: string; ua: string }[];
};

const files = loadIpRangeFiles(RANGES_DIR);
const classify = createHitClassifier({ matchIp: createIpRangeMatcher(files) });

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SENT = new Date('2026-12-01T10:00:00Z');
const LATER = new Date('2026-12-01T10:05:00Z');
const HOME_IP = '203.0.113.7'; // TEST-NET-3: in no shipped list

function hit(over: Partial<Hit> = {}): Hit {
  return {
    kind: 'open',
    method: 'GET',
    userAgent: CHROME,
    ip: HOME_IP,
    at: LATER,
    sentAt: SENT,
    ...over,
  };
}

describe('hit classification', () => {
  it('classifies the real-world user-agent sample: every browser human, every crawler machine', () => {
    const humans = corpus.browsers.filter(
      (b) => classify(hit({ userAgent: b.ua })).classification === 'human',
    );
    const machines = corpus.crawlers.filter(
      (c) => classify(hit({ userAgent: c.ua })).classification === 'machine',
    );
    // The figures reported for issue 13: 40/40 browsers human, 40/40 crawlers machine.
    expect({ humans: humans.length, machines: machines.length }).toEqual({
      humans: corpus.browsers.length,
      machines: corpus.crawlers.length,
    });
    expect(corpus.browsers.length).toBe(40);
    expect(corpus.crawlers.length).toBe(40);
  });

  it('names mail image proxies before the generic bot rule', () => {
    expect(
      classify(
        hit({
          userAgent:
            'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
        }),
      ),
    ).toEqual({ classification: 'machine', reason: 'image-proxy' });
    expect(
      classify(
        hit({
          userAgent: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
        }),
      ).reason,
    ).toBe('image-proxy');
    expect(classify(hit({ userAgent: 'curl/8.5.0' })).reason).toBe('bot-user-agent');
    expect(classify(hit({ userAgent: '' })).reason).toBe('bot-user-agent');
    expect(classify(hit({ userAgent: null })).reason).toBe('bot-user-agent');
  });

  it('a plain browser at home, minutes after the send, is human', () => {
    expect(classify(hit())).toEqual({ classification: 'human', reason: null });
    expect(classify(hit({ kind: 'click', url: 'https://a.test/', linksInMessage: 1 }))).toEqual({
      classification: 'human',
      reason: null,
    });
  });

  it('HEAD requests are machines whatever the user agent', () => {
    expect(classify(hit({ method: 'HEAD' })).reason).toBe('head-request');
    expect(classify(hit({ method: 'head', kind: 'click' })).reason).toBe('head-request');
  });

  it('matches the shipped ranges, IPv4, IPv6 and IPv4-mapped IPv6, with a browser user agent', () => {
    expect(classify(hit({ ip: '40.107.22.5' })).reason).toBe('proxy-ip:microsoft-eop');
    expect(classify(hit({ ip: '::ffff:40.92.1.1' })).reason).toBe('proxy-ip:microsoft-eop');
    expect(classify(hit({ ip: '2a01:111:f403:c000::1' })).reason).toBe('proxy-ip:microsoft-eop');
    expect(classify(hit({ ip: '17.58.0.1' })).reason).toBe('proxy-ip:apple-mpp');
    expect(classify(hit({ ip: '67.231.150.10' })).reason).toBe('proxy-ip:proofpoint');
    expect(classify(hit({ ip: '209.222.83.1' })).reason).toBe('proxy-ip:barracuda');
    // Just outside 40.92.0.0/15 and 104.47.0.0/17.
    expect(classify(hit({ ip: '40.94.0.1' })).classification).toBe('human');
    expect(classify(hit({ ip: '104.47.128.1' })).classification).toBe('human');
    expect(classify(hit({ ip: 'not-an-ip' })).classification).toBe('human');
  });

  it('every shipped range file names its source and date, and parses', () => {
    expect(files.map((f) => f.name)).toEqual([
      'apple-mpp',
      'barracuda',
      'google-image-proxy',
      'microsoft-eop',
      'mimecast',
      'proofpoint',
    ]);
    for (const f of files) {
      expect(f.source.length).toBeGreaterThan(20);
      expect(f.retrievedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('hits sooner than the threshold after the send are machines; the threshold is capped at 10 s', () => {
    const at = (s: number) => new Date(SENT.getTime() + s * 1000);
    expect(classify(hit({ at: at(4.9) })).reason).toBe('too-soon');
    expect(classify(hit({ at: at(5) })).classification).toBe('human');
    expect(classify(hit({ at: at(-1) })).reason).toBe('too-soon');
    const strict = createHitClassifier({ tooSoonSeconds: 60 });
    expect(strict(hit({ at: at(10.5) })).classification).toBe('human');
    expect(strict(hit({ at: at(9.5) })).reason).toBe('too-soon');
  });

  it('a click that completes a burst on every link of the message is a machine', () => {
    const t = (s: number) => new Date(LATER.getTime() + s * 1000);
    const [a, b, c] = ['https://a.test/', 'https://b.test/', 'https://c.test/'] as const;
    const burst = hit({
      kind: 'click',
      url: c,
      at: t(3),
      linksInMessage: 3,
      recentClicks: [
        { at: t(0), url: a },
        { at: t(1), url: b },
      ],
    });
    expect(classify(burst).reason).toBe('click-burst');
    // The same clicks spread over a minute are a person reading.
    expect(
      classify({
        ...burst,
        recentClicks: [
          { at: t(-60), url: a },
          { at: t(-30), url: b },
        ],
      }).classification,
    ).toBe('human');
    // Two of three links within seconds is not every link.
    expect(classify({ ...burst, recentClicks: [{ at: t(1), url: b }] }).classification).toBe(
      'human',
    );
    // A repeated click on the same link is not a burst.
    expect(
      classify({
        ...burst,
        url: b,
        recentClicks: [
          { at: t(1), url: b },
          { at: t(2), url: b },
        ],
      }).classification,
    ).toBe('human');
    // A single-link message cannot tell a scanner from a person by burst.
    expect(classify({ ...burst, linksInMessage: 1, recentClicks: [] }).classification).toBe(
      'human',
    );
  });
});
