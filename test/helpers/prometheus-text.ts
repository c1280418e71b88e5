/**
 * Reads Prometheus text exposition (what `/metrics` answers): the sum of the samples of `name`
 * whose labels include every one of `labels` (0 when there is none), so a test can take a value
 * before and after and assert how far it moved.
 */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) {
      continue;
    }
    const found = new Map(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(
        (m) => [m[1], m[2]] as const,
      ),
    );
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

/** Whether `name` has a sample with exactly these labels among them (its value aside). */
export function hasSample(text: string, name: string, labels: Record<string, string>): boolean {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return text.split('\n').some((line) => line.startsWith(`${name}{${want}} `));
}
