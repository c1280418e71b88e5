/**
 * Many emulated Gmail users for the fleet benchmark, at almost no cost: user n is
 * `fleet-<n>@<domain>` and its refresh token is `1//emu-fleet-<n>`, both derived from n, so
 * nothing is stored for a user until a client first uses its token. Then the grant is recorded
 * (so it can be revoked like any other) and the mailbox is filled with a few small messages,
 * the same ones on every run.
 */
export interface GeneratedUsersOptions {
  count: number;
  /** Messages each mailbox holds when first touched. */
  messagesPerUser?: number;
  domain?: string;
}

const TOKEN = /^1\/\/emu-fleet-(\d+)$/;
const EMAIL = /^fleet-(\d+)@(.+)$/;

export class GeneratedUsers {
  readonly count: number;
  readonly messagesPerUser: number;
  readonly domain: string;

  constructor(options: GeneratedUsersOptions) {
    this.count = options.count;
    this.messagesPerUser = options.messagesPerUser ?? 3;
    this.domain = (options.domain ?? 'fleet.example').toLowerCase();
  }

  email(n: number): string {
    return `fleet-${String(n)}@${this.domain}`;
  }

  refreshToken(n: number): string {
    return `1//emu-fleet-${String(n)}`;
  }

  /** The user a generated refresh token stands for; null for any other token. */
  emailOfToken(token: string): string | null {
    const n = Number(TOKEN.exec(token)?.[1] ?? NaN);
    return Number.isInteger(n) && n < this.count ? this.email(n) : null;
  }

  /** The messages a generated user starts with; null when `email` is not a generated user. */
  messagesOf(email: string): Buffer[] | null {
    const m = EMAIL.exec(email.toLowerCase());
    const n = Number(m?.[1] ?? NaN);
    if (!m || m[2] !== this.domain || !Number.isInteger(n) || n >= this.count) {
      return null;
    }
    const messages: Buffer[] = [];
    for (let i = 0; i < this.messagesPerUser; i++) {
      // Dated a day apart in the past, from a different sender each, all to this user.
      const date = new Date(Date.UTC(2026, 10, 1) - i * 86_400_000).toUTCString();
      messages.push(
        Buffer.from(
          [
            `From: Contact ${String(i)} <contact${String(i)}@customer-${String(n % 97)}.example>`,
            `To: ${this.email(n)}`,
            `Subject: Fleet message ${String(i)} for mailbox ${String(n)}`,
            `Date: ${date}`,
            `Message-ID: <fleet-${String(n)}-${String(i)}@customer.example>`,
            'MIME-Version: 1.0',
            'Content-Type: text/plain; charset=utf-8',
            '',
            `Hello, this is message ${String(i)} of a generated mailbox.`,
            '',
          ].join('\r\n'),
        ),
      );
    }
    return messages;
  }
}
