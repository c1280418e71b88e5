import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from '../../src/mail/sanitize-email-html.ts';

/** The sanitised HTML has none of the ways HTML can run script or leave the page. */
function expectInert(html: string): void {
  expect(html).not.toMatch(
    /<\s*(script|style|iframe|object|embed|form|input|svg|meta|base|link)\b/i,
  );
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/javascript:|data:|expression\s*\(|url\s*\(/i);
}

describe('email HTML sanitiser', () => {
  it('drops scripts with their text, event handlers and javascript: links', () => {
    const { html } = sanitizeEmailHtml(
      '<p onclick="steal()">Hi<script>alert(1)</script></p>' +
        '<a href="javascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(2)">y</a>' +
        '<a href="java&#x09;script:alert(3)">z</a><a href="data:text/html,<b>1</b>">d</a>' +
        '<a href="/api/v1/mailboxes">rel</a>',
    );
    expectInert(html);
    expect(html).not.toContain('alert');
    expect(html).not.toContain('href');
    expect(html).toContain('<p>Hi</p>');
  });

  it('drops img onerror and svg onload, forms and inputs, frames, objects and embeds', () => {
    const { html } = sanitizeEmailHtml(
      '<img src="x" onerror="alert(1)"><svg onload="alert(2)"><circle r="1"/></svg>' +
        '<form action="https://evil.example/login"><input name="password"><button>Go</button></form>' +
        '<iframe src="https://evil.example"></iframe><object data="x.swf"></object>' +
        '<embed src="x.swf"><textarea>secret</textarea>',
    );
    expectInert(html);
    expect(html).not.toMatch(/alert|evil|password|x\.swf|secret|onerror|onload/);
    // The image had a relative source: it is kept without one.
    expect(html).toContain('<img />');
  });

  it('drops meta refresh, base href, style sheets and CSS that can fetch or run', () => {
    const { html } = sanitizeEmailHtml(
      '<html><head><meta http-equiv="refresh" content="0;url=https://evil.example">' +
        '<base href="https://evil.example/"><title>T</title>' +
        '<style>body{background:url(https://tracker.example/p.gif)}</style></head><body>' +
        '<div style="width: expression(alert(1)); color: red">a</div>' +
        '<div style="background-image: url(https://tracker.example/p.gif); font-weight: bold">b</div>' +
        '<div style="background-color: rgb(1, 2, 3); color: \\65 xpression(1)">c</div>' +
        '<td background="https://tracker.example/bg.gif">d</td></body></html>',
    );
    expectInert(html);
    expect(html).not.toMatch(/evil|tracker|refresh|<title|\\/);
    expect(html).toContain('<div style="color:red">a</div>');
    expect(html).toContain('<div style="font-weight:bold">b</div>');
    expect(html).toContain('<div style="background-color:rgb(1, 2, 3)">c</div>');
  });

  it('blocks remote images, keeping the original in data-blocked-src, and counts them', () => {
    const out = sanitizeEmailHtml(
      '<img src="https://tracker.example/open.gif?u=1" width="1" height="1">' +
        '<img src="//cdn.example/logo.png" alt="logo">' +
        '<img src="http://x.example/a.png" data-blocked-src="javascript:alert(1)" srcset="https://x.example/b.png 2x">' +
        '<img src="data:image/png;base64,AAAA">',
    );
    expectInert(out.html);
    expect(out.remoteImagesBlocked).toBe(3);
    expect(out.html).not.toMatch(/\ssrc=/);
    expect(out.html).toContain('data-blocked-src="https://tracker.example/open.gif?u=1"');
    expect(out.html).toContain('data-blocked-src="//cdn.example/logo.png"');
    expect(out.html).toContain('data-blocked-src="http://x.example/a.png"');
    expect(out.html).not.toContain('srcset');
    const allowed = sanitizeEmailHtml('<img src="https://x.example/a.png">', {
      allowRemoteImages: true,
    });
    expect(allowed).toEqual({
      html: '<img src="https://x.example/a.png" />',
      cidReferences: [],
      remoteImagesBlocked: 0,
    });
  });

  it('keeps cid: images and lists their content ids once each', () => {
    const out = sanitizeEmailHtml(
      '<img src="cid:logo@acme"><img src="CID:part1.abc%40host"><img src="cid:logo@acme">',
    );
    expect(out.cidReferences).toEqual(['logo@acme', 'part1.abc@host']);
    expect(out.html).toBe(
      '<img src="cid:logo@acme" /><img src="CID:part1.abc%40host" /><img src="cid:logo@acme" />',
    );
    expect(out.remoteImagesBlocked).toBe(0);
  });

  it('opens links in a new tab without opener or referrer, whatever the message said', () => {
    const { html } = sanitizeEmailHtml(
      '<a href="https://acme.example/offer" target="_self" rel="opener">offer</a> ' +
        '<a href="mailto:jane@acme.example">mail</a>',
    );
    expect(html).toBe(
      '<a href="https://acme.example/offer" target="_blank" rel="noopener noreferrer">offer</a> ' +
        '<a href="mailto:jane@acme.example" target="_blank" rel="noopener noreferrer">mail</a>',
    );
  });

  it('keeps ordinary mail formatting: tables, fonts, lists, text', () => {
    const { html } = sanitizeEmailHtml(
      '<table width="100%" cellpadding="0"><tr><td align="center" bgcolor="#ffffff">' +
        '<font color="#333" face="Arial">Hallo <b>Grüße</b></font></td></tr></table><ul><li>1</li></ul>',
    );
    expect(html).toBe(
      '<table width="100%" cellpadding="0"><tr><td align="center" bgcolor="#ffffff">' +
        '<font color="#333" face="Arial">Hallo <b>Grüße</b></font></td></tr></table><ul><li>1</li></ul>',
    );
  });
});
