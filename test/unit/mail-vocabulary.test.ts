import { describe, expect, it } from 'vitest';
import {
  gmailLabelChange,
  gmailMessageKind,
} from '../../src/providers/google/gmail/map-gmail-labels.ts';
import { mapGraphFolder } from '../../src/providers/microsoft/mail/map-graph-folder.ts';

describe('Gmail labels in Mailroom terms', () => {
  it.each([
    [['INBOX', 'UNREAD'], { sent: false, excluded: false }],
    [['SENT'], { sent: true, excluded: false }],
    [['SENT', 'INBOX', 'IMPORTANT'], { sent: true, excluded: false }],
    [['SPAM'], { sent: false, excluded: true }],
    [['TRASH', 'SENT'], { sent: true, excluded: true }],
    [['DRAFT'], { sent: false, excluded: true }],
    [[], { sent: false, excluded: false }],
  ])('%j → %j', (labels, kind) => {
    expect(gmailMessageKind(labels)).toEqual(kind);
  });

  it.each([
    [['TRASH'], [], 'excluded'],
    [['SPAM'], [], 'excluded'],
    [['STARRED'], [], 'unchanged'],
    [[], ['UNREAD'], 'unchanged'],
    [[], ['TRASH'], 'restored'],
    [[], ['SPAM'], 'restored'],
    // A sent draft: unknown until now, so the sync fetches it.
    [[], ['DRAFT'], 'restored'],
    // Becoming a draft does not hide stored mail (it cannot happen to stored mail anyway).
    [['DRAFT'], [], 'unchanged'],
    [['TRASH'], ['SPAM'], 'excluded'],
  ])('added %j, removed %j → %s', (added, removed, visibility) => {
    expect(gmailLabelChange('m1', added, removed)).toEqual({
      type: 'relabeled',
      id: 'm1',
      labels: { added, removed },
      visibility,
    });
  });
});

describe('Outlook folders in Mailroom terms', () => {
  it.each([
    [
      { folder: 'inbox', draft: false },
      { sent: false, excluded: false, labels: ['INBOX'] },
    ],
    [
      { folder: 'sentitems', draft: false },
      { sent: true, excluded: false, labels: ['SENT'] },
    ],
    [
      { folder: 'archive', draft: false },
      { sent: false, excluded: false, labels: ['ARCHIVE'] },
    ],
    [
      { folder: 'inbox', draft: true },
      { sent: false, excluded: true, labels: ['INBOX', 'DRAFT'] },
    ],
    [undefined, { sent: false, excluded: false, labels: ['INBOX'] }],
  ])('%j → %j', (seen, expected) => {
    expect(mapGraphFolder(seen)).toEqual(expected);
  });
});
