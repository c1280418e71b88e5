import type { gmail_v1 } from '@googleapis/gmail';
import { createGmailApi } from './gmail-api.ts';
import type { OAuth2Client } from 'google-auth-library';
import type { MailWatch, PushChannel, PushResource } from '../../mail-watch.ts';
import type { Limiter } from '../../quota-limiter.ts';
import { GoogleCaller } from '../google-caller.ts';

/** Quota units of `users.watch` and `users.stop` (provider-apis.md §A.9, third-party copies). */
const WATCH_UNITS = 100;
const STOP_UNITS = 50;
/** Google asks for a watch renewed once a day; it lasts seven. */
const RENEW_EVERY_MS = 24 * 3600_000;

export interface GmailMailWatchOptions {
  auth: OAuth2Client;
  rootUrl: string | undefined;
  limiter: Limiter;
  timeoutMs: number;
  /** `projects/<project>/topics/<topic>`, the topic Gmail publishes to. */
  topicName: string;
}

/**
 * MailWatch over `users.watch` (provider-apis.md §A.7): one watch per Gmail user and Cloud
 * project, so one channel, `mail`, for all of its labels (the sync reads every change through
 * history anyway). Renewing is watching again. The push itself carries no secret: it is trusted
 * by its OIDC token (http/push/google-push-route.ts).
 */
export const GMAIL_PUSH_RESOURCES: readonly PushResource[] = ['mail'];

export class GmailMailWatch implements MailWatch {
  readonly resources = GMAIL_PUSH_RESOURCES;
  private readonly api: gmail_v1.Gmail;
  private readonly caller: GoogleCaller;
  private readonly topicName: string;

  constructor(options: GmailMailWatchOptions) {
    this.api = createGmailApi(options);
    this.caller = new GoogleCaller(options.auth, options.limiter);
    this.topicName = options.topicName;
  }

  async open(resource: string): Promise<PushChannel> {
    const res = await this.caller.call(WATCH_UNITS, 'other', () =>
      this.api.users.watch({ userId: 'me', requestBody: { topicName: this.topicName } }),
    );
    // `expiration` is epoch milliseconds as a string (int64).
    const expiration = Number(res.data.expiration);
    return {
      resource,
      externalId: null,
      expiresAt: new Date(Number.isFinite(expiration) && expiration > 0 ? expiration : Date.now()),
    };
  }

  async renew(channel: PushChannel): Promise<Date> {
    return (await this.open(channel.resource)).expiresAt;
  }

  async close(): Promise<void> {
    await this.caller.call(STOP_UNITS, 'other', () => this.api.users.stop({ userId: 'me' }));
  }

  renewAt(expiresAt: Date, now: Date): Date {
    return new Date(Math.min(now.getTime() + RENEW_EVERY_MS, expiresAt.getTime()));
  }
}
