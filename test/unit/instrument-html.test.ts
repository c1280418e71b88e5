import { describe, expect, it } from 'vitest';
import { instrumentHtml, type InstrumentOptions } from '../../src/tracking/instrument-html.ts';

const BASE = 'https://mr.example.test';

function run(html: string, over: Partial<InstrumentOptions> = {}) {
  let n = 0;
  const minted: string[] = [];
  const result = instrumentHtml(html, {
    publicUrl: `${BASE}/`,
    opens: true,
    clicks: true,
    mintClickToken: (url) => {
      minted.push(url);
      return `c${++n}`;
    },
    mintOpenToken: () => 'o1',
    ...over,
  });
  return { ...result, minted };
}

describe('instrumenting the HTML part', () => {
  it('rewrites http and https links and appends the pixel at the end of the body', () => {
    const r = run(
      '<!doctype html><html><head><title>t</title></head><body><p><a href="https://a.test/x">A</a> <a href="http://b.test/">B</a></p></body></html>',
    );
    expect(r.links).toEqual([
      { url: 'https://a.test/x', token: 'c1' },
      { url: 'http://b.test/', token: 'c2' },
    ]);
    expect(r.pixelToken).toBe('o1');
    expect(r.html).toBe(
      '<!DOCTYPE html><html><head><title>t</title></head><body><p><a href="https://mr.example.test/t/c/c1">A</a> <a href="https://mr.example.test/t/c/c2">B</a></p>' +
        '<img src="https://mr.example.test/t/o/o1" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0"></body></html>',
    );
  });

  it('keeps a fragment a fragment and appends the pixel at its end', () => {
    const r = run('<p>Hi <a href="https://a.test/">there</a></p>');
    expect(r.html).toMatch(
      /^<p>Hi <a href="https:\/\/mr\.example\.test\/t\/c\/c1">there<\/a><\/p><img src="https:\/\/mr\.example\.test\/t\/o\/o1"/,
    );
    expect(r.html).not.toContain('<body');
  });

  it('stores the URL the browser would follow: query, fragment, non-ASCII and decoded entities', () => {
    const r = run(
      '<a href="https://a.test/p?q=1&amp;r=2#frag">1</a><a href="https://b.test/caf&eacute;?n=%C3%A9&x=&quot;y&quot;">2</a>' +
        '<a href="https://例え.テスト/パス?ä=ö">3</a><a href="  https://c.test/\n  ">4</a>',
    );
    expect(r.links.map((l) => l.url)).toEqual([
      'https://a.test/p?q=1&r=2#frag',
      'https://b.test/café?n=%C3%A9&x="y"',
      'https://例え.テスト/パス?ä=ö',
      'https://c.test/',
    ]);
  });

  it('leaves mailto, tel, in-page, relative, protocol-relative and other schemes alone', () => {
    const html =
      '<a href="mailto:a@b.test">m</a><a href="tel:+123">t</a><a href="#top">h</a><a href="/rel">r</a>' +
      '<a href="//cdn.test/x">p</a><a href="javascript:alert(1)">j</a><a href="ftp://f.test/">f</a><a>none</a><a href="http://">bad</a>';
    const r = run(html, { opens: false });
    expect(r.links).toEqual([]);
    expect(r.html).toBe(html);
  });

  it('does not rewrite links inside comments, script, style, textarea or template', () => {
    const html =
      '<!-- <a href="https://c.test/">c</a> --><script>var s = \'<a href="https://s.test/">\';</script>' +
      '<style>a[href="https://st.test/"]{}</style><textarea><a href="https://ta.test/">x</a></textarea>' +
      '<template><a href="https://tp.test/">t</a></template>';
    const r = run(html, { opens: false });
    expect(r.links).toEqual([]);
    expect(r.html).toContain('<!-- <a href="https://c.test/">c</a> -->');
    expect(r.html).toContain('https://s.test/');
    expect(r.html).toContain('https://tp.test/');
  });

  it('matches HREF in any case and rewrites <area href>', () => {
    const r = run(
      '<A HREF="https://up.test/">u</A><map name="m"><area shape="rect" coords="0,0,1,1" href="https://area.test/"></map>',
      { opens: false },
    );
    expect(r.links.map((l) => l.url)).toEqual(['https://up.test/', 'https://area.test/']);
    expect(r.html).toContain('<a href="https://mr.example.test/t/c/c1">u</a>');
    expect(r.html).toContain(
      '<area shape="rect" coords="0,0,1,1" href="https://mr.example.test/t/c/c2">',
    );
  });

  it('mints one token per distinct URL', () => {
    const r = run(
      '<a href="https://a.test/">1</a><a href="https://a.test/">2</a><a href="https://b.test/">3</a>',
      {
        opens: false,
      },
    );
    expect(r.minted).toEqual(['https://a.test/', 'https://b.test/']);
    expect(r.html.match(/t\/c\/c1/g)).toHaveLength(2);
  });

  it('treats opens and clicks as independent switches', () => {
    const html = '<p><a href="https://a.test/">a</a></p>';
    const opensOnly = run(html, { clicks: false });
    expect(opensOnly.links).toEqual([]);
    expect(opensOnly.html).toContain('href="https://a.test/"');
    expect(opensOnly.pixelToken).toBe('o1');
    const clicksOnly = run(html, { opens: false });
    expect(clicksOnly.pixelToken).toBeNull();
    expect(clicksOnly.html).not.toContain('<img');
    expect(clicksOnly.links).toHaveLength(1);
    const neither = run(html, { opens: false, clicks: false });
    expect(neither.html).toBe(html);
  });

  it('re-serialises rewritten attribute values with correct escaping', () => {
    const r = run('<a href="https://a.test/?a=1&amp;b=2" title="x &amp; y">a</a>', {
      opens: false,
      mintClickToken: () => 'tok&"<',
    });
    expect(r.html).toBe(
      '<a href="https://mr.example.test/t/c/tok&amp;&quot;&lt;" title="x &amp; y">a</a>',
    );
  });
});
