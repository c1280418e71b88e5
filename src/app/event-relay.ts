import type { Queue } from 'bullmq';
import type { Orm } from '../db/orm.ts';
import { listenForOutbox, type OutboxListener } from '../db/outbox-listener.ts';
import { relayOutboxStep } from '../db/outbox-relay.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import type { Logger } from '../logger.ts';
import { addEventJobs, capWaitingEvents } from '../queue/events-queue.ts';

/**
 * Where the relay hands each batch of events, in feed order. Every sink must be idempotent by
 * event id (the same batch comes again after a relay dies before marking it). The `events` queue
 * is one; webhooks fan out from the same step as another (one delivery job per webhook and event,
 * with a deterministic job id).
 */
export type EventSink = (events: readonly EventEnvelope[]) => Promise<void>;

/**
 * The `events` queue sink: one job per event, then the waiting jobs capped at `max`. `ready`
 * fails at once while Redis is down (BullMQ alone would wait for it without bound while the step
 * holds its transaction open); the step then rolls back and the relay tries again later.
 */
export function eventsQueueSink(
  queue: Queue<EventEnvelope>,
  max: number,
  ready: () => Promise<void>,
): EventSink {
  return async (events) => {
    await ready();
    await addEventJobs(queue, events);
    await capWaitingEvents(queue, max);
  };
}

export interface EventRelayOptions {
  orm: Orm;
  databaseUrl: string;
  sinks: readonly EventSink[];
  log: Logger;
  /** The fallback when no NOTIFY arrives (a lost LISTEN connection, a row written by hand). */
  pollMs: number;
  /** Rows per step: a few thousand events a second is a handful of steps. */
  batchSize?: number;
  /** Called each time the relay has caught up and goes to sleep (tests and the benchmark watch it). */
  onIdle?: () => void;
  /**
   * Step failures somebody else already reports (a Redis outage has its one warning per process):
   * the relay retries them on its next poll without a line of its own.
   */
  reportedElsewhere?: (err: unknown) => boolean;
}

export interface EventRelay {
  /** Resolves once the relay is LISTENing (or has given up on it for now and polls). */
  readonly ready: Promise<void>;
  /** Finishes the step under way (its sinks included) and stops; idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs the outbox relay until stopped: woken by the outbox NOTIFY, or every `pollMs` anyway, it
 * takes steps (`relayOutboxStep`) back to back until one finds nothing left. Any number of
 * processes may run one; the step's advisory lock makes them take turns.
 */
export function startEventRelay(options: EventRelayOptions): EventRelay {
  const { orm, log, pollMs } = options;
  const batchSize = options.batchSize ?? 1_000;
  // An object read through a function: these change across awaits, which flow analysis ignores.
  const state = { stopped: false, pending: true };
  const stopped = (): boolean => state.stopped;
  let wake: (() => void) | null = null;
  let listener: OutboxListener | null = null;
  let failing = false;
  let listenFailing = false;

  const signal = (): void => {
    state.pending = true;
    wake?.();
  };
  const idle = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = finish;
    });

  const listen = async (): Promise<void> => {
    if (listener || stopped()) {
      return;
    }
    try {
      listener = await listenForOutbox(options.databaseUrl, signal, (err) => {
        log.warn({ err: err.message }, 'event relay lost its LISTEN connection; polling');
        listener = null;
        signal();
      });
      if (stopped()) {
        await listener.close();
      }
      listenFailing = false;
      // Rows committed before LISTEN took effect sent their NOTIFY to nobody.
      signal();
    } catch (err) {
      // Once per outage: it is tried again on every poll.
      if (!listenFailing) {
        listenFailing = true;
        log.warn({ err: (err as Error).message }, 'event relay cannot LISTEN; polling');
      }
    }
  };

  const publish = async (events: EventEnvelope[]): Promise<void> => {
    for (const sink of options.sinks) {
      await sink(events);
    }
  };

  const ready = listen();
  const done = (async () => {
    await ready;
    while (!stopped()) {
      if (!state.pending) {
        options.onIdle?.();
        await idle(pollMs);
        await listen();
        if (stopped()) {
          break;
        }
      }
      state.pending = false;
      try {
        const step = await relayOutboxStep(orm.em.fork(), batchSize, publish);
        if (step.sequenced > 0 || step.published >= batchSize) {
          state.pending = true;
        }
        if (failing) {
          failing = false;
          log.info('event relay is publishing again');
        }
      } catch (err) {
        // One line per outage; the next poll tries again (nothing was marked, nothing is lost).
        if (!failing && !options.reportedElsewhere?.(err)) {
          failing = true;
          log.warn({ err: (err as Error).message }, 'event relay step failed; retrying');
        }
        state.pending = false;
      }
    }
  })();

  return {
    ready,
    async stop() {
      state.stopped = true;
      wake?.();
      await done;
      await listener?.close();
      listener = null;
    },
  };
}
