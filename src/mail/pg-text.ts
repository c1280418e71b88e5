/**
 * The one text boundary between mail and PostgreSQL. Mail is hostile or just broken: a NUL byte in
 * a header, a UTF-16 surrogate left alone by a cut or by a broken charset. PostgreSQL refuses both
 * (text columns reject NUL; jsonb rejects `\u0000` and unpaired surrogates), and one refused value
 * fails the statement it is in. Every row built for storage goes through `pgSafe`; every cut of
 * text goes through `cutCodePoints`.
 */

/** NUL, and any surrogate that is not half of a pair (with the `u` flag a pair is one code point). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this pattern is for
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/gu;

/** `text` without NUL characters and lone surrogates; everything else is kept as it is. */
export function pgText(text: string): string {
  return text.replace(UNSTORABLE, '');
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with `pgText` applied to every string in it (object keys included), through
 * arrays and plain objects: a whole row, jsonb columns and all, in one call.
 */
export function pgSafe<T>(value: T): T {
  if (typeof value === 'string') {
    return pgText(value) as T;
  }
  if (Array.isArray(value)) {
    return value.map((v: unknown) => pgSafe(v)) as T;
  }
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[pgText(k)] = pgSafe(v);
    }
    return out as T;
  }
  return value;
}

/**
 * The first `max` code points of `text`: a cut never splits a surrogate pair (an emoji at the cut
 * is kept whole, never halved into a lone surrogate).
 */
export function cutCodePoints(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  let units = 0;
  for (let count = 0; count < max && units < text.length; count++) {
    const codePoint = text.codePointAt(units) ?? 0;
    units += codePoint > 0xffff ? 2 : 1;
  }
  return text.slice(0, units);
}
