import sanitizeHtml from 'sanitize-html';

/**
 * An email's HTML made safe to put in a page of ours. Mail HTML is written by strangers, so this
 * is an allowlist (sanitize-html), not a list of known attacks:
 *
 * - Only formatting, tables, links and images survive. Scripts, style sheets, forms and inputs,
 *   frames, objects, embeds, SVG, `<meta>` (refresh) and `<base>` are dropped; script, style,
 *   textarea and title lose their text too, other dropped tags keep theirs.
 * - No event handler or other attribute outside the list; `style` attributes keep only layout and
 *   typography properties whose value has no `url(`, `expression(`, escape or other function
 *   than a colour (so no CSS can load anything or run script).
 * - Links keep an `http(s):`, `mailto:` or `tel:` href only (no `javascript:`, `data:` or relative
 *   URL, which would point into this app) and open in a new tab with `rel="noopener noreferrer"`.
 * - Images never load from the network by default: an `http(s)` (or protocol-relative) image
 *   loses its `src`, and the original is kept in `data-blocked-src` for a view that offers to
 *   load remote images; they are counted in `remoteImagesBlocked`. Remote images are trackers as
 *   often as not (the sender learns when and where the message was read). `cid:` images (parts of
 *   the message itself) stay `cid:` and their content ids are listed in `cidReferences`; any other
 *   image source (`data:`, relative, `javascript:`) is dropped.
 */
export interface SanitizedEmailHtml {
  html: string;
  /** The content ids the HTML's `cid:` images refer to, once each, in order of appearance. */
  cidReferences: string[];
  remoteImagesBlocked: number;
}

export interface SanitizeOptions {
  /** Keep `http(s)` image sources (the reader asked for remote images). Default false. */
  allowRemoteImages?: boolean;
}

/** A CSS value with nothing that can fetch or run: words, numbers, units, #hex, colour functions. */
const SAFE_CSS_VALUE = /^(?:[\w\s#%.,'"!+/-]|(?:rgba?|hsla?)\([\d\s.,%/]*\))*$/i;

const STYLE_PROPERTIES = [
  'color',
  'background-color',
  'font',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'line-height',
  'letter-spacing',
  'text-align',
  'text-decoration',
  'text-transform',
  'text-indent',
  'vertical-align',
  'white-space',
  'word-break',
  'direction',
  'display',
  'width',
  'min-width',
  'max-width',
  'height',
  'min-height',
  'max-height',
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'padding',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'border',
  'border-top',
  'border-right',
  'border-bottom',
  'border-left',
  'border-color',
  'border-style',
  'border-width',
  'border-radius',
  'border-collapse',
  'border-spacing',
  'list-style-type',
  'table-layout',
];

const ALLOWED_STYLES = Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [SAFE_CSS_VALUE]]));

const TABLE_ATTRIBUTES = [
  'align',
  'valign',
  'bgcolor',
  'border',
  'cellpadding',
  'cellspacing',
  'colspan',
  'rowspan',
  'width',
  'height',
];

const REMOTE = /^(?:https?:)?\/\//i;
const LINK = /^(?:https?:|mailto:|tel:)/i;
const CID = /^cid:/i;

function without(
  attribs: Record<string, string>,
  names: readonly string[],
): Record<string, string> {
  return Object.fromEntries(Object.entries(attribs).filter(([name]) => !names.includes(name)));
}

function contentId(src: string): string {
  const raw = src.replace(CID, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function sanitizeEmailHtml(html: string, options: SanitizeOptions = {}): SanitizedEmailHtml {
  const cids = new Set<string>();
  let remoteImagesBlocked = 0;
  const clean = sanitizeHtml(html, {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'data'),
      'img',
      'center',
      'font',
      'strike',
      'tt',
      'big',
    ],
    nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'title', 'noscript'],
    allowedAttributes: {
      '*': ['style', 'class', 'title', 'dir', 'lang', ...TABLE_ATTRIBUTES],
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height', 'data-blocked-src'],
      font: ['color', 'face', 'size'],
      ol: ['start', 'type'],
      ul: ['type'],
    },
    allowedStyles: { '*': ALLOWED_STYLES },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
    allowProtocolRelative: true,
    transformTags: {
      a: (tagName, attribs) => {
        const href = (attribs.href ?? '').trim();
        const rest = without(attribs, ['href']);
        return {
          tagName,
          attribs: {
            ...(LINK.test(href) ? { href } : {}),
            ...rest,
            target: '_blank',
            rel: 'noopener noreferrer',
          },
        };
      },
      img: (tagName, attribs) => {
        const src = (attribs.src ?? '').trim();
        // Whatever the message says, `src` and `data-blocked-src` are only what is set here.
        const rest = without(attribs, ['src', 'srcset', 'data-blocked-src']);
        if (CID.test(src)) {
          cids.add(contentId(src));
          return { tagName, attribs: { ...rest, src } };
        }
        if (REMOTE.test(src)) {
          if (options.allowRemoteImages === true) {
            return { tagName, attribs: { ...rest, src } };
          }
          remoteImagesBlocked++;
          return { tagName, attribs: { ...rest, 'data-blocked-src': src } };
        }
        return { tagName, attribs: rest };
      },
    },
  });
  return { html: clean.trim(), cidReferences: [...cids], remoteImagesBlocked };
}
