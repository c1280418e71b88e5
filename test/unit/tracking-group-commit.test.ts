import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/engagement/group-commit.ts';
import { createRecentClicks } from '../../src/engagement/recent-clicks.ts';

/** A write that records its batches and fails, as a transaction would, on any item `bad`. */
function recordingWrite() {
  const batches: string[][] = [];
  const committed: string[] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  return {
    batches,
    committed,
    /** Holds the next writes until `open()`. */
    hold() {
      gate = new Promise<void>((resolve) => (release = resolve));
    },
    open() {
      release?.();
      gate = null;
    },
    async write(items: readonly string[]) {
      batches.push([...items]);
      await gate;
      if (items.some((i) => i.startsWith('bad'))) {
        throw new Error(`constraint violated by ${items.find((i) => i.startsWith('bad')) ?? ''}`);
      }
      committed.push(...items);
    },
  };
}

describe('group commit', () => {
  it('writes what queued during a flush as the next batch, bounded in size', async () => {
    const w = recordingWrite();
    const gc = createGroupCommit<string>({ write: (i) => w.write(i), maxBatch: 3 });
    w.hold();
    const first = gc.submit('a');
    // Let the first flush start (it waits on the gate) before more arrive.
    await new Promise((resolve) => setImmediate(resolve));
    const rest = ['b', 'c', 'd', 'e'].map((x) => gc.submit(x));
    expect(w.batches).toEqual([['a']]);
    w.open();
    await Promise.all([first, ...rest]);
    expect(w.batches).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    expect(w.committed).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('resolves each submit only after its batch is written', async () => {
    const w = recordingWrite();
    const gc = createGroupCommit<string>({ write: (i) => w.write(i), maxBatch: 10 });
    w.hold();
    let done = false;
    const p = gc.submit('a').then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    w.open();
    await p;
    expect(w.committed).toEqual(['a']);
  });

  it('retries a failed batch item by item: only the bad item fails', async () => {
    const w = recordingWrite();
    const gc = createGroupCommit<string>({ write: (i) => w.write(i), maxBatch: 10 });
    const results = await Promise.allSettled(['a', 'bad-1', 'c'].map((x) => gc.submit(x)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(w.committed).toEqual(['a', 'c']);
  });

  it('drains: resolves once everything submitted is written', async () => {
    const w = recordingWrite();
    const gc = createGroupCommit<string>({ write: (i) => w.write(i), maxBatch: 2 });
    const submitted = ['a', 'b', 'c', 'd', 'e'].map((x) => gc.submit(x));
    await gc.drain();
    expect(w.committed).toEqual(['a', 'b', 'c', 'd', 'e']);
    await Promise.all(submitted);
  });
});

describe('recent clicks', () => {
  it("returns an email's clicks of the window, and forgets older ones", () => {
    let now = 1_000_000;
    const recent = createRecentClicks(5000, () => now);
    recent.add('e1', { at: new Date(now), url: 'https://a.example/1' });
    recent.add('e2', { at: new Date(now), url: 'https://a.example/x' });
    now += 3000;
    recent.add('e1', { at: new Date(now), url: 'https://a.example/2' });
    expect(recent.since('e1', new Date(now - 5000)).map((c) => c.url)).toEqual([
      'https://a.example/1',
      'https://a.example/2',
    ]);
    now += 4000;
    recent.add('e1', { at: new Date(now), url: 'https://a.example/3' });
    expect(recent.since('e1', new Date(0)).map((c) => c.url)).toEqual([
      'https://a.example/2',
      'https://a.example/3',
    ]);
  });
});
