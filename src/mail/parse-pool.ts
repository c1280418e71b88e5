import { Worker } from 'node:worker_threads';
import type { ParseLimits } from './parse-mime.ts';
import type { ParseOutcome, ParseRequest, ParseResponse } from './parse-protocol.ts';

/**
 * A fixed pool of parser worker threads. Each worker parses one message at a time, so a crash,
 * hang or out-of-memory costs exactly that message: the worker is replaced and the message fails
 * with a reason ("parser crashed: RangeError …", "parser timed out after 10000 ms"). Everything
 * else queued keeps going.
 */
export interface ParsePoolOptions {
  size: number;
  timeoutMs: number;
  limits: ParseLimits;
  /** Heap cap per worker, so one pathological message cannot exhaust the process. */
  maxHeapMb?: number;
  /** The worker script; tests swap in one that crashes or hangs on demand. */
  workerUrl?: URL;
}

interface Task {
  id: number;
  raw: Uint8Array;
  resolve: (outcome: ParseOutcome) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

const WORKER_URL = new URL('./parse-worker.ts', import.meta.url);

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** Counts of worker replacements, exposed for tests and metrics. */
  crashes = 0;
  timeouts = 0;

  private readonly options: ParsePoolOptions;

  constructor(options: ParsePoolOptions) {
    this.options = options;
    for (let i = 0; i < Math.max(1, options.size); i++) {
      this.slots.push(this.spawn());
    }
  }

  parse(raw: Buffer): Promise<ParseOutcome> {
    if (this.closed) {
      return Promise.reject(new Error('parse pool is closed'));
    }
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, raw, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) {
      task.resolve({ ok: false, reason: 'parse pool closed' });
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.options.workerUrl ?? WORKER_URL, {
      workerData: this.options.limits,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 512 },
      stderr: false,
    });
    const slot: Slot = { worker, task: null, timer: null };
    worker.on('message', (res: ParseResponse) => {
      if (slot.task?.id !== res.id) {
        return;
      }
      this.finish(
        slot,
        res.ok ? { ok: true, message: res.message } : { ok: false, reason: res.reason },
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

  private replace(slot: Slot, reason: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) {
      return;
    }
    // Swap the slot out before failing its task: failing it dispatches the next queued message,
    // which must go to a live worker, not to the one being torn down.
    const task = slot.task;
    if (slot.timer) {
      clearTimeout(slot.timer);
    }
    slot.task = null;
    slot.timer = null;
    void slot.worker.terminate();
    if (this.closed) {
      this.slots.splice(index, 1);
    } else {
      this.slots[index] = this.spawn();
    }
    task?.resolve({ ok: false, reason });
    this.dispatch();
  }

  private finish(slot: Slot, outcome: ParseOutcome): void {
    const task = slot.task;
    if (slot.timer) {
      clearTimeout(slot.timer);
    }
    slot.task = null;
    slot.timer = null;
    task?.resolve(outcome);
    this.dispatch();
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
      slot.task = task;
      slot.timer = setTimeout(() => {
        this.timeouts++;
        this.replace(slot, `parser timed out after ${this.options.timeoutMs} ms`);
      }, this.options.timeoutMs);
      slot.worker.postMessage({ id: task.id, raw: task.raw } satisfies ParseRequest);
    }
  }
}
