import type { AddressObject, EmailAddress } from 'mailparser';

/**
 * The addresses of one parsed address header (To, Cc, Bcc, From), group members included,
 * lower-cased. `valid` is false when an entry has no usable address ("To: Dana" or "To: dana@"),
 * which Gmail refuses as an invalid header rather than dropping.
 */
export function addressesOf(field: AddressObject | AddressObject[] | undefined): {
  emails: string[];
  valid: boolean;
} {
  const entries = (Array.isArray(field) ? field : field ? [field] : []).flatMap((o) =>
    o.value.flatMap((a: EmailAddress) => (a.group ? a.group : [a])),
  );
  const emails = entries.map((a) => (a.address ?? '').trim().toLowerCase());
  return { emails, valid: emails.every((e) => /^[^@\s]+@[^@\s]+$/.test(e)) };
}
