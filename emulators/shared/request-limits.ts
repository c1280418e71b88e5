import type { FastifyReply, FastifyRequest } from 'fastify';

/** The token of an `Authorization: Bearer …` header, as both vendors' APIs take it. */
export function bearerToken(req: FastifyRequest): string | undefined {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}

/**
 * Requests in flight per user, for the per-user concurrency ceilings both vendors enforce
 * (Gmail: 429 "too many concurrent requests"; Graph: MailboxConcurrency). Checking and entering
 * are separate because each emulator applies its other limits in between, and a request refused
 * there must not have counted.
 */
export class ConcurrencyLimit {
  private readonly inflight = new Map<string, number>();
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  isFull(user: string): boolean {
    return (this.inflight.get(user) ?? 0) >= this.max;
  }

  /**
   * Counts the request against its user until its reply has been sent or its client has gone.
   * 'close', not 'finish': a reply to a client that went away (a worker killed mid-request) never
   * finishes. A client gone before this point (while a fault's delay held the request) has had its
   * 'close' already, so it is not counted at all. Either way a slot kept for a gone client would
   * refuse that user every request from then on.
   */
  enter(user: string, reply: FastifyReply): void {
    const res = reply.raw;
    if (res.destroyed) {
      return;
    }
    this.inflight.set(user, (this.inflight.get(user) ?? 0) + 1);
    res.once('close', () => this.inflight.set(user, (this.inflight.get(user) ?? 1) - 1));
  }
}
