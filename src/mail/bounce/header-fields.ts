/**
 * Reading `Name: value` fields out of text: the groups of a `message/delivery-status` body and the
 * header section of an embedded original message. Lenient on purpose: real reports use LF or
 * CRLF, fold with spaces or tabs, omit the space after the colon and vary the case of names.
 */
export interface Field {
  /** Lower-cased. */
  name: string;
  /** Unfolded and trimmed. */
  value: string;
}

const FIELD_LINE = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:(.*)$/;

/** Splits text into paragraphs of fields; any line that is neither a field nor a fold ends a field. */
export function fieldGroups(text: string): Field[][] {
  const groups: Field[][] = [];
  let group: Field[] = [];
  let last: Field | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') {
      if (group.length > 0) {
        groups.push(group);
      }
      group = [];
      last = null;
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (/^[ \t]/.test(line) && last !== null) {
      last.value = `${last.value} ${line.trim()}`.trim();
    } else if (m) {
      last = { name: (m[1] ?? '').toLowerCase(), value: (m[2] ?? '').trim() };
      group.push(last);
    } else {
      last = null;
    }
  }
  if (group.length > 0) {
    groups.push(group);
  }
  return groups;
}

/** The header section of a message (the text up to the first empty line) as fields. */
export function headerSection(message: string): Field[] {
  const end = /\r?\n\r?\n/.exec(message);
  return fieldGroups(end ? message.slice(0, end.index) : message)[0] ?? [];
}

export function fieldValue(fields: readonly Field[], name: string): string | null {
  return fields.find((f) => f.name === name)?.value ?? null;
}

/** `rfc822; <User@Example.com>` → `User@Example.com` (the address-type prefix and brackets gone). */
export function typedValue(value: string | null): string | null {
  if (value === null) {
    return null;
  }
  const semi = value.indexOf(';');
  const bare = (semi >= 0 ? value.slice(semi + 1) : value)
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .trim();
  return bare === '' ? null : bare;
}
