import type { IpRangeFile } from './ip-ranges.ts';

/** Prettier's width (.prettierrc): a written list must pass `npm run format:check` unchanged. */
const PRINT_WIDTH = 100;

/**
 * A range file as the repository keeps it: the schema's keys in order, two-space JSON as Prettier
 * prints it (the ranges on one line when they fit, else one per line), so refreshing a list with
 * `tracking:ranges` leaves a diff of the ranges alone.
 */
export function serializeRangeFile(file: IpRangeFile): string {
  const head: Record<string, unknown> = {
    name: file.name,
    source: file.source,
    retrievedAt: file.retrievedAt,
  };
  if (file.verified !== undefined) {
    head['verified'] = file.verified;
  }
  if (file.notes !== undefined) {
    head['notes'] = file.notes;
  }
  const lines = Object.entries(head).map(
    ([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`,
  );
  const items = file.ranges.map((r) => JSON.stringify(r));
  const oneLine = `  "ranges": [${items.join(', ')}]`;
  const ranges =
    oneLine.length <= PRINT_WIDTH
      ? oneLine
      : `  "ranges": [\n${items.map((i) => `    ${i}`).join(',\n')}\n  ]`;
  return `{\n${[...lines, ranges].join('\n')}\n}\n`;
}
