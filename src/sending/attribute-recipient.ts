import { excludedAddressReason, type MailboxContext } from '../crm/mailbox-context.ts';
import { normalizeAddress } from '../addresses/address.ts';
import type { Recipient } from '../providers/mail-sender.ts';
import type { Attribution } from '../db/repositories/tracking.repository.ts';

/**
 * Whose open or click a tracked message's hits are (product.md, "Sending and tracking"): the one
 * external recipient (`single`); with several, the first external To recipient, else the first
 * external one, marked `ambiguous` (a pixel cannot tell readers apart). A message to colleagues
 * only has no recipient to credit: its hits are stored, nobody's activity is logged.
 */
export function attributeRecipient(
  to: readonly Recipient[],
  cc: readonly Recipient[],
  bcc: readonly Recipient[],
  ctx: MailboxContext,
): { recipient: string | null; attribution: Attribution } {
  const external = (list: readonly Recipient[]) =>
    list.flatMap((r) => {
      const address = normalizeAddress(r.email);
      const reason = address ? excludedAddressReason(ctx, address) : 'owner';
      return address && reason !== 'owner' && reason !== 'internal' ? [address] : [];
    });
  const all = [...new Set([...external(to), ...external(cc), ...external(bcc)])];
  if (all.length <= 1) {
    return { recipient: all[0] ?? null, attribution: 'single' };
  }
  return { recipient: external(to)[0] ?? all[0] ?? null, attribution: 'ambiguous' };
}
