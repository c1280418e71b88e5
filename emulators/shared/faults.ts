import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Fault injection, shared by both emulators: the next `count` requests whose path matches get the
 * given status (with an optional Retry-After) or a delay before the normal answer; with
 * `probability`, each matching request gets it only with that chance (a fault rate, for the
 * benchmark). Each emulator wraps the status in its own vendor's error envelope.
 */
export interface FaultSpec {
  /** Regular expression matched against the request path. */
  path: string;
  method?: string;
  status?: number;
  reason?: string;
  retryAfterSeconds?: number;
  delayMs?: number;
  /**
   * Wait `delayMs` after the request has had its effect, just before the answer goes out, instead
   * of before handling it: a send that happened but whose caller timed out waiting.
   */
  afterEffect?: boolean;
  count?: number;
  /** 0..1: the share of matching requests that get the fault (default: every one). */
  probability?: number;
  /**
   * Also ends the caller's credentials as the fault is served: `grant` revokes the refresh tokens
   * too (a user removing access mid-sync), `access-token` only ends the access tokens before their
   * stated expiry (a password change); pair it with status 401.
   */
  revoke?: 'grant' | 'access-token';
  /**
   * No answer at all: the connection is reset (a TCP RST) as the request arrives, as a proxy or a
   * load balancer dropping it does. The client sees ECONNRESET / "socket hang up".
   */
  reset?: boolean;
}

export class FaultInjector {
  private faults: (FaultSpec & { remaining: number; regex: RegExp })[] = [];
  /** Faults served so far, so a test can prove its faults actually fired. */
  fired = 0;

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count ?? 1, regex: new RegExp(spec.path) });
  }

  clear(): void {
    this.faults = [];
  }

  take(method: string, path: string): FaultSpec | null {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        f.regex.test(path) &&
        (!f.method || f.method === method) &&
        (f.probability === undefined || Math.random() < f.probability),
    );
    if (!fault) {
      return null;
    }
    fault.remaining--;
    this.fired++;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return fault;
  }
}

const answerDelays = new WeakMap<FastifyRequest, number>();

/** Holds back the answers of requests whose fault is an `afterEffect` delay. */
export function registerAnswerDelays(app: FastifyInstance): void {
  app.addHook('onSend', async (req, _reply, payload) => {
    const ms = answerDelays.get(req);
    if (ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    return payload;
  });
}

/** A fault that replaces the normal answer with an error status. */
export type StatusFault = FaultSpec & { status: number };

/**
 * Takes the fault meant for this request, if any, and waits out its delay. When the fault also
 * carries a status, Retry-After is already set on the reply and the fault is returned, for the
 * caller to answer in its vendor's envelope; a reset fault has already dropped the connection, and
 * the caller must not answer; otherwise the request goes on normally.
 */
export async function takeFault(
  faults: FaultInjector,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<StatusFault | 'reset' | null> {
  const fault = faults.take(req.method, req.url.split('?')[0] ?? '');
  if (fault?.reset) {
    // Fastify must not try to answer on the dead socket.
    reply.hijack();
    req.raw.socket.resetAndDestroy();
    return 'reset';
  }
  if (fault?.delayMs && fault.afterEffect) {
    answerDelays.set(req, fault.delayMs);
  } else if (fault?.delayMs) {
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  }
  if (!fault?.status) {
    return null;
  }
  if (fault.retryAfterSeconds !== undefined) {
    void reply.header('retry-after', String(fault.retryAfterSeconds));
  }
  return { ...fault, status: fault.status };
}
