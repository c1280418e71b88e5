import type { EntityManager } from '@mikro-orm/postgresql';
import type { OAuth2Client } from 'google-auth-library';
import type { Config } from '../config.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { CalendarSource } from './calendar-source.ts';
import { GmailMailSource } from './google/gmail/gmail-mail-source.ts';
import { createGoogleOAuthClient } from './google/oauth/google-oauth-client.ts';
import { createGoogleOAuthConnector } from './google/oauth/google-oauth-connector.ts';
import { GoogleCalendarSource } from './google/calendar/google-calendar-source.ts';
import type { MailSender } from './mail-sender.ts';
import type { MailSource } from './mail-source.ts';
import type { MailWatch } from './mail-watch.ts';
import type { PushResource } from './mail-watch.ts';
import { GMAIL_PUSH_RESOURCES, GmailMailWatch } from './google/gmail/gmail-mail-watch.ts';
import { GraphMailWatch, graphPushResources } from './microsoft/mail/graph-mail-watch.ts';
import { GmailMailSender } from './google/gmail/gmail-mail-sender.ts';
import { GraphMailSender } from './microsoft/mail/graph-mail-sender.ts';
import { MailboxCache } from './mailbox-cache.ts';
import { createMailboxLimiters } from './mailbox-limiters.ts';
import { GraphCalendarSource } from './microsoft/calendar/graph-calendar-source.ts';
import { GraphMailSource } from './microsoft/mail/graph-mail-source.ts';
import { GraphRequester } from './microsoft/graph-requester.ts';
import { createMicrosoftOAuthConnector } from './microsoft/oauth/microsoft-oauth-connector.ts';
import { MicrosoftTokenStore } from './microsoft/oauth/microsoft-token-store.ts';
import type { OAuthConnector } from './oauth-connector.ts';
import { ProviderError } from './provider-error.ts';
import { NO_SHARED_QUOTAS, type SharedQuotas } from './shared-quotas.ts';

/**
 * Provider → MailSource / CalendarSource. Access tokens stay in this process's memory (never in
 * job data or Redis): one OAuth client per mailbox and refresh token, reused across that mailbox's
 * jobs until the stored credentials change (a reconnect). So are the quota buckets, so a job that
 * comes back after a rate limit does not start with a full burst. Calls also draw on the budgets
 * every worker shares (`shared`, shared-quotas.ts). Every per-mailbox cache is
 * bounded (MAX_CACHED_MAILBOXES, least recently used dropped first).
 */
export type MailSourceFactory = (mailbox: ProviderMailbox) => MailSource;
export type CalendarSourceFactory = (mailbox: ProviderMailbox) => CalendarSource;
export type MailSenderFactory = (mailbox: ProviderMailbox) => MailSender;
/** Null when push is off for the mailbox's provider (MAILROOM_PUSH, or Gmail without a topic). */
export type MailWatchFactory = (mailbox: ProviderMailbox) => MailWatch | null;

/** What the factories read of a mailbox: plain data, so providers never import the ORM entity. */
export interface ProviderMailbox {
  id: string;
  provider: 'google' | 'microsoft';
  /** The sealed refresh token. */
  credentials: string | null;
}

/**
 * Mailboxes whose clients, requesters and buckets one process keeps. A worker serves a few
 * hundred mailboxes at most; dropping one costs a token refresh and a fresh bucket, never data.
 */
export const MAX_CACHED_MAILBOXES = 1_000;

export interface ProviderFactories {
  mail: MailSourceFactory;
  calendar: CalendarSourceFactory;
  sender: MailSenderFactory;
  watch: MailWatchFactory;
}

export function createProviderFactories(
  config: Config,
  box: SecretBox,
  em: EntityManager,
  maxMailboxes = MAX_CACHED_MAILBOXES,
  shared: SharedQuotas = NO_SHARED_QUOTAS,
): ProviderFactories {
  const clients = new MailboxCache<{ sealed: string; client: OAuth2Client }>(maxMailboxes);
  const limiters = createMailboxLimiters(config.sync, maxMailboxes, shared);
  const microsoftTokens = new MicrosoftTokenStore(em, box, config, maxMailboxes);

  const googleClient = (mailbox: ProviderMailbox): OAuth2Client => {
    const sealed = mailbox.credentials;
    if (!sealed) {
      throw new ProviderError('AUTH_REVOKED', 'mailbox has no stored credentials');
    }
    const cached = clients.get(mailbox.id);
    if (cached?.sealed === sealed) {
      return cached.client;
    }
    const client = createGoogleOAuthClient(config);
    client.setCredentials({ refresh_token: box.open(sealed) });
    clients.set(mailbox.id, { sealed, client });
    return client;
  };

  // Microsoft tokens are opened at the first Graph call, where the SDK would wrap a wrong key as a
  // network error; open them up front so a SecretBoxError reaches the retry policy as it is.
  const checkMicrosoftCredentials = (mailbox: ProviderMailbox): void => {
    if (mailbox.credentials) {
      box.open(mailbox.credentials);
    }
  };

  // One per mailbox and process, shared by its mail and calendar jobs: one request budget and
  // one set of in-flight slots, as Graph counts them.
  const requesters = new MailboxCache<GraphRequester>(maxMailboxes);
  const graphRequester = (mailbox: ProviderMailbox): GraphRequester =>
    requesters.getOrCreate(
      mailbox.id,
      () =>
        new GraphRequester({
          graphUrl: config.microsoft.graphUrl,
          timeoutMs: config.microsoft.requestTimeoutMs,
          accessToken: () => microsoftTokens.accessToken(mailbox.id),
          invalidateToken: () => {
            microsoftTokens.invalidate(mailbox.id);
          },
          limiter: limiters.graph(mailbox.id),
        }),
    );

  // What Gmail's source and sender share: the client, the quota regime and the mailbox's bucket
  // (sends count against the same per-user quota as the sync).
  const gmailOptions = (mailbox: ProviderMailbox) => {
    const quota = config.sync.gmailQuota;
    return {
      auth: googleClient(mailbox),
      rootUrl: config.google.apiRootUrl,
      regime: quota === 'off' ? ('old' as const) : quota,
      limiter: limiters.gmail(mailbox.id),
      timeoutMs: config.google.requestTimeoutMs,
    };
  };

  const mail: MailSourceFactory = (mailbox) => {
    switch (mailbox.provider) {
      case 'google':
        return new GmailMailSource(gmailOptions(mailbox));
      case 'microsoft':
        checkMicrosoftCredentials(mailbox);
        return new GraphMailSource({
          graph: graphRequester(mailbox),
          folders: config.sync.outlookFolders,
        });
    }
  };

  const calendar: CalendarSourceFactory = (mailbox) => {
    switch (mailbox.provider) {
      case 'google':
        return new GoogleCalendarSource({
          auth: googleClient(mailbox),
          rootUrl: config.google.apiRootUrl,
          calendarIds: config.sync.googleCalendars,
          limiter: limiters.googleCalendar(mailbox.id),
          timeoutMs: config.google.requestTimeoutMs,
        });
      case 'microsoft':
        checkMicrosoftCredentials(mailbox);
        return new GraphCalendarSource({ graph: graphRequester(mailbox) });
    }
  };

  // Sends share the mailbox's quota bucket and Graph requester with its sync: one budget.
  const sender: MailSenderFactory = (mailbox) => {
    switch (mailbox.provider) {
      case 'google':
        return new GmailMailSender(gmailOptions(mailbox));
      case 'microsoft':
        checkMicrosoftCredentials(mailbox);
        return new GraphMailSender(graphRequester(mailbox));
    }
  };

  // Push channels share the mailbox's client, quota bucket and requester with its sync.
  const watch: MailWatchFactory = (mailbox) => {
    const resources = pushResources(config, mailbox.provider);
    if (resources === null) {
      return null;
    }
    switch (mailbox.provider) {
      case 'google': {
        const { auth, rootUrl, limiter, timeoutMs } = gmailOptions(mailbox);
        const topicName = config.google.pubsubTopic ?? '';
        return new GmailMailWatch({ auth, rootUrl, limiter, timeoutMs, topicName });
      }
      case 'microsoft':
        checkMicrosoftCredentials(mailbox);
        return new GraphMailWatch({
          graph: graphRequester(mailbox),
          resources,
          notificationUrl: config.push.microsoftUrl,
          lifetimeMinutes: config.push.graphSubscriptionMinutes,
        });
    }
  };

  return { mail, calendar, sender, watch };
}

/**
 * The push channels a mailbox of `provider` needs, or null when push is off for it: MAILROOM_PUSH
 * (product.md "Push"), and for Gmail a Pub/Sub topic to publish to.
 */
export function pushResources(
  config: Config,
  provider: ProviderMailbox['provider'],
): readonly PushResource[] | null {
  if (!config.push.enabled) {
    return null;
  }
  switch (provider) {
    case 'google':
      return config.google.pubsubTopic ? GMAIL_PUSH_RESOURCES : null;
    case 'microsoft':
      return graphPushResources(config.sync.outlookFolders, config.sync.calendarSync);
  }
}

/** One OAuth connector per vendor: the HTTP connect routes serve each of them the same way. */
export function createOAuthConnectors(config: Config): OAuthConnector[] {
  return [createGoogleOAuthConnector(config), createMicrosoftOAuthConnector(config)];
}
