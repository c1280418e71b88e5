import type { MailChange, Visibility } from '../../mail-source.ts';

/**
 * Gmail's system labels in Mailroom's terms. Spam, Trash and Drafts are never synced or logged;
 * of those, only Spam and Trash can happen to mail already stored (a stored message never becomes
 * a draft), and they make it count as deleted until it comes back.
 */
const EXCLUDED = new Set(['SPAM', 'TRASH', 'DRAFT']);
const HIDDEN = new Set(['SPAM', 'TRASH']);

export function gmailMessageKind(labels: readonly string[]): { sent: boolean; excluded: boolean } {
  return {
    sent: labels.includes('SENT'),
    excluded: labels.some((l) => EXCLUDED.has(l)),
  };
}

/** A history label delta as a Mailroom change. */
export function gmailLabelChange(
  id: string,
  added: readonly string[],
  removed: readonly string[],
): Extract<MailChange, { type: 'relabeled' }> {
  let visibility: Visibility = 'unchanged';
  if (added.some((l) => HIDDEN.has(l))) {
    visibility = 'excluded';
  } else if (removed.some((l) => EXCLUDED.has(l))) {
    visibility = 'restored';
  }
  return {
    type: 'relabeled',
    id,
    labels: { added: [...added], removed: [...removed] },
    visibility,
  };
}
