import type { StoredGraphMessage } from './graph-store.ts';

/**
 * A message as Graph answers it: the whole JSON with its etag, or only the `$select`ed fields plus
 * `id`. `internetMessageHeaders` is only ever returned when selected.
 */
const ALWAYS = ['id'];

export function selectFields(
  message: StoredGraphMessage,
  select: string[],
): Record<string, unknown> {
  const full: Record<string, unknown> = {
    '@odata.etag': `W/"${message.id.slice(-8)}"`,
    ...message.json,
  };
  if (select.length === 0) {
    return full;
  }
  const out: Record<string, unknown> = {};
  for (const field of [...ALWAYS, ...select]) {
    if (field === 'internetMessageHeaders') {
      out[field] = message.headers;
    } else if (field in full) {
      out[field] = full[field];
    }
  }
  return out;
}

/** The fields of a `$select` query option. */
export const selectList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
