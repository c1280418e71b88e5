import type { StoredMessage } from './gmail-store.ts';

/**
 * The subset of Gmail's `q` syntax the sync uses: `in:`/`label:` (and negated), `after:`/`before:`
 * (epoch seconds or yyyy/mm/dd) and `rfc822msgid:`. Unknown terms are rejected, so a sync that
 * starts sending a term the emulator does not model fails loudly instead of silently matching all.
 */
export type MessagePredicate = (m: StoredMessage) => boolean;

export class UnsupportedQueryError extends Error {}

function parseDate(value: string): number {
  if (/^\d+$/.test(value)) {
    return Number(value) * 1000;
  }
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!m) {
    throw new UnsupportedQueryError(`unsupported date ${value}`);
  }
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

const LABEL_ALIASES: Record<string, string> = {
  inbox: 'INBOX',
  sent: 'SENT',
  spam: 'SPAM',
  trash: 'TRASH',
  draft: 'DRAFT',
  drafts: 'DRAFT',
  starred: 'STARRED',
  important: 'IMPORTANT',
  unread: 'UNREAD',
};

export function parseQuery(q: string | undefined): MessagePredicate {
  const predicates: MessagePredicate[] = [];
  for (const term of (q ?? '').split(/\s+/).filter(Boolean)) {
    const negated = term.startsWith('-');
    const [key = '', ...rest] = (negated ? term.slice(1) : term).split(':');
    const value = rest.join(':');
    let p: MessagePredicate;
    switch (key.toLowerCase()) {
      case 'in':
      case 'label': {
        const label = LABEL_ALIASES[value.toLowerCase()] ?? value;
        p = (m) => m.labelIds.includes(label);
        break;
      }
      case 'after': {
        const t = parseDate(value);
        p = (m) => m.internalDate >= t;
        break;
      }
      case 'before': {
        const t = parseDate(value);
        p = (m) => m.internalDate < t;
        break;
      }
      case 'rfc822msgid':
        p = (m) => m.messageIdHeader === (value.startsWith('<') ? value : `<${value}>`);
        break;
      default:
        throw new UnsupportedQueryError(`unsupported search term ${term}`);
    }
    predicates.push(negated ? (m) => !p(m) : p);
  }
  return (m) => predicates.every((p) => p(m));
}
