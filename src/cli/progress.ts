import { Presets, SingleBar } from 'cli-progress';

/**
 * Progress of a long command on stderr (done/total, rate, ETA), drawn only when stderr is a
 * terminal: piped or captured, the command prints its one JSON document and nothing else.
 */
export interface Progress {
  /** Whether anything is drawn (callers skip the work of measuring progress when not). */
  readonly active: boolean;
  update(done: number, total: number | null, etaSeconds?: number | null): void;
  stop(): void;
}

const QUIET: Progress = { active: false, update: () => undefined, stop: () => undefined };

export function startProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY) {
    return QUIET;
  }
  const bar = new SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{totalText} | {rate}/s | ETA {etaText}`,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  const payload = (done: number, total: number | null, eta: number | null | undefined) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    // The caller's ETA (the mailbox's own, over its whole backfill) wins; else from our rate.
    const estimate = eta ?? (total !== null && rate > 0 ? Math.max(0, total - done) / rate : null);
    return {
      totalText: total === null ? '?' : String(total),
      rate: rate.toFixed(1),
      etaText: estimate === null ? '?' : formatSeconds(estimate),
    };
  };
  bar.start(0, 0, payload(0, null, null));
  return {
    active: true,
    update(done, total, etaSeconds) {
      bar.setTotal(total ?? Math.max(done, 1));
      bar.update(done, payload(done, total, etaSeconds));
    },
    stop() {
      bar.stop();
    },
  };
}

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  }
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
