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

  /** Counts the request against its user until its reply has been sent. */
  enter(user: string, reply: FastifyReply): void {
    this.inflight.set(user, (this.inflight.get(user) ?? 0) + 1);
    reply.raw.once('finish', () => this.inflight.set(user, (this.inflight.get(user) ?? 1) - 1));
  }
}
