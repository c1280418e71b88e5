import { Worker } from 'node:worker_threads';
import type { ParseLimits } from './parse-mime.ts';
import type { ParseOutcome, ParseRequest, WorkerMessage } from './parse-protocol.ts';

/**
 * A pool of parser worker threads. Each worker parses one message at a time, so a crash,
 * hang or out-of-memory costs exactly that message: the worker is replaced and the message fails
 * with a reason ("parser crashed: RangeError …", "parser timed out after 10000 ms"). Everything
 * else queued keeps going.
 *
 * The timeout covers the parse only: it starts when the worker reports that it has picked the
 * message up, so a worker that is slow to start (a busy machine, module loading) never fails a
 * healthy message. A message that times out is retried once in a fresh worker before it is
 * failed; a crash or out-of-memory fails the message at once.
 *
 * The pool grows on demand: one worker starts at once, and another only when the workers spent
 * most of the last GROW_WINDOW_MS parsing while messages waited (GROW_BUSY), up to `size`. An
 * extra worker idle for IDLE_RETIRE_MS is stopped. A worker thread costs ~50 MB of RSS before it
 * parses anything (its own heap, mailparser's code, type stripping), and a mail sync is bound by
 * fetching, not parsing: there one worker keeps up and the second is never started
 * (`bench gmail-backfill`).
 */
export interface ParsePoolOptions {
  /** The most worker threads the pool runs at once. */
  size: number;
  timeoutMs: number;
  limits: ParseLimits;
  /** Heap cap per worker, so one pathological message cannot exhaust the process. */
  maxHeapMb?: number;
  /** How long an extra worker may sit idle before it is stopped (IDLE_RETIRE_MS by default). */
  idleRetireMs?: number;
  /** The worker script; tests swap in one that crashes or hangs on demand. */
  workerUrl?: URL;
}

/** How many times a message may time out before it is failed (the first try and one retry). */
const TIMEOUT_ATTEMPTS = 2;

interface Task {
  id: number;
  raw: Uint8Array;
  resolve: (outcome: ParseOutcome) => void;
  /** Tries that ended in a timeout. */
  timedOut: number;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  /** When the worker started its message (performance.now()); null until it reports so. */
  startedAt: number | null;
  /** Runs while an extra worker is idle; see IDLE_RETIRE_MS. */
  idleTimer: NodeJS.Timeout | null;
  timer: NodeJS.Timeout | null;
  /** Set until the worker reports it started the message; see START_GRACE_FACTOR. */
  startWatch: NodeJS.Timeout | null;
}

/**
 * A worker that has not even started a message after this many parse budgets (and at least a
 * minute) is stuck before mailparser loaded: it is replaced and the message handed to a fresh one,
 * which costs the message nothing, so a wedged start-up can never hold a message for ever.
 */
const START_GRACE_FACTOR = 10;
const MIN_START_GRACE_MS = 60_000;

/**
 * A parse allocates a lot and keeps almost nothing (the answer is copied out), so a small nursery
 * is collected often and cheaply. V8's default one grows to tens of MB per worker, and every
 * worker keeps its grown nursery for good: with two workers that was ~50 MB of a sync's RSS
 * (`bench ingest --messages 2000`: 527 -> 475 MB peak).
 */
const YOUNG_GENERATION_MB = 4;

/**
 * The pool grows when its workers were busy parsing for at least GROW_BUSY of a GROW_WINDOW_MS
 * window and messages are waiting. Time a worker spends loading its modules is not busy time: the
 * first fetches of a sync all arrive while the first worker starts, which says nothing about
 * whether one worker keeps up.
 */
const GROW_WINDOW_MS = 1_000;
const GROW_BUSY = 0.8;

/** An extra worker (beyond the first) idle this long is stopped, giving its memory back. */
const IDLE_RETIRE_MS = 30_000;

const WORKER_URL = new URL('./parse-worker.ts', import.meta.url);

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** Start of the current utilisation window and the parse time finished in it (see GROW_BUSY). */
  private windowStart = performance.now();
  private busyMs = 0;
  /** Workers replaced because they crashed or exited; exposed for tests and metrics. */
  crashes = 0;
  /** Messages failed because their parse timed out on every try. */
  timeouts = 0;
  /** Timed-out parses handed to a fresh worker for another try. */
  retries = 0;

  private readonly options: ParsePoolOptions;

  constructor(options: ParsePoolOptions) {
    this.options = options;
    this.slots.push(this.spawn());
  }

  /** Worker threads running now (they come and go with the backlog). */
  get workers(): number {
    return this.slots.length;
  }

  parse(raw: Buffer): Promise<ParseOutcome> {
    if (this.closed) {
      return Promise.reject(new Error('parse pool is closed'));
    }
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, raw, resolve, timedOut: 0 });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) {
      task.resolve({ ok: false, reason: 'parse pool closed' });
    }
    // Messages still with a worker: their timer may not have started, so nothing else would
    // settle them once the workers are gone.
    for (const slot of this.slots) {
      const task = slot.task;
      this.clear(slot);
      task?.resolve({ ok: false, reason: 'parse pool closed' });
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.options.workerUrl ?? WORKER_URL, {
      workerData: this.options.limits,
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.maxHeapMb ?? 512,
        maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      },
      stderr: false,
    });
    const slot: Slot = {
      worker,
      task: null,
      startedAt: null,
      idleTimer: null,
      timer: null,
      startWatch: null,
    };
    worker.on('message', (msg: WorkerMessage) => {
      if (slot.task?.id !== msg.id) {
        return;
      }
      if ('started' in msg) {
        slot.startedAt = performance.now();
        this.startTimer(slot);
        return;
      }
      // The worker's own clock: on this thread a start and its answer can arrive in one turn.
      this.busyMs += msg.parseMs;
      this.finish(
        slot,
        msg.ok ? { ok: true, message: msg.message } : { ok: false, reason: msg.reason },
      );
    });
    worker.on('error', (err: Error) => {
      this.crashes++;
      this.replace(slot, `parser crashed: ${err.name}: ${err.message}`);
    });
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) {
        this.crashes++;
        this.replace(slot, `parser exited with code ${code}`);
      }
    });
    worker.unref();
    return slot;
  }

  private startTimer(slot: Slot): void {
    if (slot.startWatch) {
      clearTimeout(slot.startWatch);
      slot.startWatch = null;
    }
    if (slot.timer) {
      return;
    }
    slot.timer = setTimeout(() => {
      const task = slot.task;
      if (task && task.timedOut + 1 < TIMEOUT_ATTEMPTS) {
        task.timedOut++;
        this.retries++;
        this.replace(slot, null);
        return;
      }
      this.timeouts++;
      this.replace(slot, `parser timed out after ${this.options.timeoutMs} ms`);
    }, this.options.timeoutMs);
  }

  /**
   * Terminates the slot's worker and puts a fresh one in its place. With a reason, the worker's
   * message fails with it; without one, the message is retried in the fresh worker.
   */
  private replace(slot: Slot, reason: string | null): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) {
      return;
    }
    // Swap the slot out before failing its task: failing it dispatches the next queued message,
    // which must go to a live worker, not to the one being torn down.
    const task = slot.task;
    this.clear(slot);
    void slot.worker.terminate();
    if (this.closed) {
      this.slots.splice(index, 1);
    } else {
      const fresh = this.spawn();
      this.slots[index] = fresh;
      if (task && reason === null) {
        this.assign(fresh, task);
        return;
      }
    }
    task?.resolve({ ok: false, reason: reason ?? 'parse pool closed' });
    this.dispatch();
  }

  private finish(slot: Slot, outcome: ParseOutcome): void {
    const task = slot.task;
    this.clear(slot);
    task?.resolve(outcome);
    this.dispatch();
  }

  private clear(slot: Slot): void {
    if (slot.timer) {
      clearTimeout(slot.timer);
    }
    if (slot.startWatch) {
      clearTimeout(slot.startWatch);
    }
    if (slot.idleTimer) {
      clearTimeout(slot.idleTimer);
    }
    slot.idleTimer = null;
    slot.startedAt = null;
    slot.task = null;
    slot.timer = null;
    slot.startWatch = null;
    slot.worker.unref();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) {
        continue;
      }
      const task = this.queue.shift();
      if (!task) {
        return;
      }
      this.assign(slot, task);
    }
    this.growIfBehind();
    this.retireWhenIdle();
  }

  /** Starts one more worker if the ones running were busy for most of the last window. */
  private growIfBehind(): void {
    const now = performance.now();
    const elapsed = now - this.windowStart;
    if (elapsed < GROW_WINDOW_MS) {
      return;
    }
    // Parses still running count up to now, so one long message shows as busy too.
    const running = this.slots.reduce(
      (ms, s) => ms + (s.startedAt === null ? 0 : now - s.startedAt),
      0,
    );
    const busy = (this.busyMs + running) / (elapsed * this.slots.length);
    this.windowStart = now;
    this.busyMs = -running;
    if (this.closed || this.queue.length === 0 || this.slots.length >= this.options.size) {
      return;
    }
    if (busy >= GROW_BUSY) {
      const grown = this.spawn();
      this.slots.push(grown);
      const task = this.queue.shift();
      if (task) {
        this.assign(grown, task);
      }
    }
  }

  /** Extra workers left without a message are stopped if they stay idle for IDLE_RETIRE_MS. */
  private retireWhenIdle(): void {
    if (this.closed) {
      return;
    }
    for (const slot of this.slots.slice(1)) {
      if (slot.task || slot.idleTimer) {
        continue;
      }
      slot.idleTimer = setTimeout(() => {
        const index = this.slots.indexOf(slot);
        if (slot.task || index < 1) {
          return;
        }
        this.slots.splice(index, 1);
        void slot.worker.terminate();
      }, this.options.idleRetireMs ?? IDLE_RETIRE_MS);
      slot.idleTimer.unref();
    }
  }

  /**
   * Hands a message to a worker; its timer starts when the worker reports it has started. A worker
   * with a message keeps the process alive (an idle one does not), as no timer may be pending yet.
   */
  private assign(slot: Slot, task: Task): void {
    if (slot.idleTimer) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
    }
    slot.task = task;
    slot.startWatch = setTimeout(
      () => {
        this.replace(slot, null);
      },
      Math.max(MIN_START_GRACE_MS, START_GRACE_FACTOR * this.options.timeoutMs),
    );
    slot.worker.ref();
    slot.worker.postMessage({ id: task.id, raw: task.raw } satisfies ParseRequest);
  }
}
