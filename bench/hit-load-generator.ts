import { Pool } from 'undici';

/**
 * The tracking bench's load generator, run as a child process so the server under test has its
 * process (and its event loop, and its RSS) to itself: it receives the targets over IPC, keeps
 * `concurrency` requests in flight on loopback, checks every status and answers with each
 * request's latency as the client saw it.
 */
export interface LoadTarget {
  path: string;
  method: 'GET' | 'HEAD';
  userAgent: string;
  expectStatus: number;
}

export interface LoadRequest {
  origin: string;
  concurrency: number;
  warmup: LoadTarget[];
  targets: LoadTarget[];
}

export type LoadResult = { latencies: number[]; seconds: number } | { error: string };

async function run(req: LoadRequest): Promise<LoadResult> {
  const client = new Pool(req.origin, { connections: req.concurrency });
  const send = async (t: LoadTarget): Promise<number> => {
    const started = performance.now();
    const res = await client.request({
      method: t.method,
      path: t.path,
      headers: { 'user-agent': t.userAgent },
    });
    await res.body.dump();
    const ms = performance.now() - started;
    if (res.statusCode !== t.expectStatus) {
      throw new Error(
        `${t.method} ${t.path}: ${String(res.statusCode)}, not ${String(t.expectStatus)}`,
      );
    }
    return ms;
  };
  try {
    await Promise.all(req.warmup.map(send));
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: req.concurrency }, async () => {
        while (next < req.targets.length) {
          const t = req.targets[next++];
          if (t !== undefined) {
            latencies.push(await send(t));
          }
        }
      }),
    );
    return { latencies, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await client.close();
  }
}

process.once('message', (req: LoadRequest) => {
  run(req).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (err: unknown) =>
      process.send?.({ error: err instanceof Error ? err.message : String(err) }, () =>
        process.exit(1),
      ),
  );
});
