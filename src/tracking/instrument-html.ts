import { html as spec, parse, parseFragment, serialize, type DefaultTreeAdapterMap } from 'parse5';

/**
 * Instruments the HTML part of an outgoing message: every `http(s)` `<a href>` / `<area href>`
 * points at `${publicUrl}/t/c/<token>` and a 1×1 pixel `${publicUrl}/t/o/<token>` is appended at
 * the end of `<body>` (or of the fragment when the message has no `<body>`).
 *
 * A real HTML parser (parse5, the WHATWG algorithm browsers use) does the work, so links inside
 * comments, `<script>`, `<style>`, `<textarea>` or attribute text are never touched, attribute
 * names are matched case-insensitively, and entities are decoded exactly as a browser decodes them:
 * the URL stored with a token is the one the reader's browser would have followed
 * (`?a=1&amp;b=2` is stored as `?a=1&b=2`). `mailto:`, `tel:`, in-page `#anchors`, relative and
 * other schemes are left alone. The same URL appearing twice gets one token, so "every link of the
 * message" is a count of distinct URLs.
 */
export interface InstrumentOptions {
  /** Absolute base, e.g. `https://mailroom.example.com` (a trailing slash is ignored). */
  publicUrl: string;
  opens: boolean;
  clicks: boolean;
  /** Mints a click token for an original URL; the caller stores the token → URL mapping. */
  mintClickToken: (url: string) => string;
  /** Mints the message's open token; the caller stores it. */
  mintOpenToken: () => string;
}

export interface InstrumentedHtml {
  html: string;
  links: { url: string; token: string }[];
  pixelToken: string | null;
}

type Node = DefaultTreeAdapterMap['node'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];
type Element = DefaultTreeAdapterMap['element'];

const LINK_ELEMENTS = new Set(['a', 'area']);
const HTML_NS = spec.NS.HTML;
const STRIP_INNER = /[\t\n\r]/g;
const HTTP_SCHEME = /^https?:/i;

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function children(node: Node): Node[] {
  return 'childNodes' in node ? node.childNodes : [];
}

function walk(node: Node, visit: (el: Element) => void): void {
  if (isElement(node)) {
    visit(node);
  }
  // `<template>` content is inert (never rendered), so its links are left alone: parse5 keeps it
  // in `content`, which this walk does not enter.
  for (const child of children(node)) {
    walk(child, visit);
  }
}

function findElement(node: Node, tagName: string): Element | null {
  if (isElement(node) && node.tagName === tagName && node.namespaceURI === HTML_NS) {
    return node;
  }
  for (const child of children(node)) {
    const found = findElement(child, tagName);
    if (found) {
      return found;
    }
  }
  return null;
}

/** The URL a browser would follow for this `href`, when it is an absolute http(s) URL. */
export function trackableUrl(href: string): string | null {
  // The URL parser strips leading and trailing C0 controls and spaces (code points up to U+0020)
  // before it reads the scheme, and removes tabs and newlines anywhere.
  let start = 0;
  let end = href.length;
  while (start < end && href.charCodeAt(start) <= 0x20) {
    start++;
  }
  while (end > start && href.charCodeAt(end - 1) <= 0x20) {
    end--;
  }
  const url = href.slice(start, end).replace(STRIP_INNER, '');
  if (!HTTP_SCHEME.test(url)) {
    return null;
  }
  try {
    // Only URLs a browser can open; `http://` with no host is not one.
    new URL(url);
  } catch {
    return null;
  }
  return url;
}

function pixel(src: string): Element {
  const fragment = parseFragment('<img width="1" height="1" alt="">');
  const img = fragment.childNodes[0] as Element;
  img.attrs.unshift({ name: 'src', value: src });
  img.attrs.push({
    name: 'style',
    value: 'display:block;width:1px;height:1px;border:0;margin:0;padding:0',
  });
  return img;
}

/**
 * Whether the source is a whole document (doctype, `<html>`, `<head>` or `<body>` written out), in
 * which case it is serialised as a document; a fragment stays a fragment, so a message body such
 * as `<p>Hi</p>` is not wrapped in `<html><head></head><body>`.
 */
function isWholeDocument(html: string): boolean {
  const doc = parse(html, { sourceCodeLocationInfo: true });
  if (doc.childNodes.some((n) => n.nodeName === '#documentType')) {
    return true;
  }
  const explicit = (name: string): boolean =>
    Boolean(findElement(doc, name)?.sourceCodeLocation?.startTag);
  return explicit('html') || explicit('head') || explicit('body');
}

export function instrumentHtml(html: string, options: InstrumentOptions): InstrumentedHtml {
  const base = options.publicUrl.replace(/\/+$/, '');
  const whole = isWholeDocument(html);
  const root: ParentNode = whole ? parse(html) : parseFragment(html);

  const links: { url: string; token: string }[] = [];
  if (options.clicks) {
    const tokens = new Map<string, string>();
    walk(root, (el) => {
      if (!LINK_ELEMENTS.has(el.tagName) || el.namespaceURI !== HTML_NS) {
        return;
      }
      // parse5 lowercases attribute names (`HREF` is `href`) and keeps only the first of duplicates,
      // as browsers do.
      const href = el.attrs.find((a) => a.name === 'href' && !a.prefix);
      if (!href) {
        return;
      }
      const url = trackableUrl(href.value);
      if (!url) {
        return;
      }
      let token = tokens.get(url);
      if (token === undefined) {
        token = options.mintClickToken(url);
        tokens.set(url, token);
        links.push({ url, token });
      }
      href.value = `${base}/t/c/${token}`;
    });
  }

  let pixelToken: string | null = null;
  if (options.opens) {
    pixelToken = options.mintOpenToken();
    const img = pixel(`${base}/t/o/${pixelToken}`);
    const parent: ParentNode = (whole ? findElement(root, 'body') : null) ?? root;
    img.parentNode = parent;
    parent.childNodes.push(img);
  }

  return { html: serialize(root), links, pixelToken };
}
