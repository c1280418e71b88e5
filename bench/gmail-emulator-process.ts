/**
 * The Gmail benchmarks' emulator as a process of its own (started by bench-gmail.ts), so the
 * benchmark process is Mailroom alone: its peak RSS is Mailroom's, and the emulator's (which holds
 * every generated message) is reported apart. `node bench/gmail-emulator-process.ts --messages N
 * --seed S [--quota old|new --quota-scale K]` files N generated messages for the bench owner,
 * prints one JSON line `{url, refreshToken}` and serves until its stdin closes (the benchmark
 * ended, or died) or it is signalled.
 *
 * Besides the emulator's own `/__control` interface it answers the benchmark on `/__bench`:
 * the counters since the last reset, its peak RSS, and the parse-only baseline over the messages
 * it holds (so the benchmark process never holds the corpus, not even to time mailparser).
 */
import { parseArgs } from 'node:util';
import { buildGmailEmulator } from '../emulators/google/gmail-emulator.ts';
import { BENCH_OWNER } from './bench-gmail.ts';
import { generateMessage } from './generate-messages.ts';
import { parseOnlySeconds, peakRssMb } from './parse-baseline.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    quota: { type: 'string', default: 'off' },
    'quota-scale': { type: 'string', default: '1' },
  },
});

const quota = values.quota === 'old' || values.quota === 'new' ? values.quota : null;
const emulator = buildGmailEmulator({
  quota: quota ? { regime: quota, scale: Number(values['quota-scale']) } : null,
});
const generation = {
  count: Number(values.messages),
  seed: Number(values.seed),
  ownerEmail: BENCH_OWNER,
  internalDomain: 'northwindtraders.com',
};
// One message at a time: the store keeps each raw once, nothing else holds the corpus.
for (let i = 0; i < generation.count; i++) {
  emulator.store.addMessage(BENCH_OWNER, generateMessage(i, generation).raw);
}

emulator.app.get('/__bench/figures', (_req, reply) =>
  reply.send({
    stats: emulator.stats,
    faultsFired: emulator.faults.fired,
    peakRssMb: peakRssMb(),
  }),
);
emulator.app.post('/__bench/reset-stats', (_req, reply) => {
  emulator.resetStats();
  return reply.send({ ok: true });
});
// The efficiency baseline over every message served, timed here (see parse-baseline.ts).
emulator.app.post('/__bench/parse-only', async () => ({
  seconds: await parseOnlySeconds(
    [...emulator.store.user(BENCH_OWNER).messages.values()].map((m) => m.raw),
  ),
}));

const url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(
  `${JSON.stringify({ url, refreshToken: emulator.auth.issueRefreshToken(BENCH_OWNER) })}\n`,
);

const stop = () => {
  void emulator.app.close().then(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.resume();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
