/**
 * An Outlook message's folder in Mailroom's terms. Outlook has folders, not labels; the stored
 * `labels` column keeps one word for the folder (SENT for Sent Items, else the folder's name in
 * capitals, plus DRAFT for a draft) so Outlook rows read like Gmail ones in the export. Junk,
 * Deleted Items and Drafts are never synced folders (the config refuses them), so a draft in a
 * synced folder is the only excluded mail.
 */
export interface SeenFolder {
  folder: string;
  draft: boolean;
}

export function mapGraphFolder(seen: SeenFolder | undefined): {
  sent: boolean;
  excluded: boolean;
  labels: string[];
} {
  // Fetched without having been listed in this process (a resumed run): an inbox message.
  const folderLabel =
    seen === undefined ? 'INBOX' : seen.folder === 'sentitems' ? 'SENT' : seen.folder.toUpperCase();
  const draft = seen?.draft === true;
  return {
    sent: folderLabel === 'SENT',
    excluded: draft,
    labels: [folderLabel, ...(draft ? ['DRAFT'] : [])],
  };
}
