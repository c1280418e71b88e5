import type { EntityManager } from '@mikro-orm/postgresql';
import type { OAuth2Client } from 'google-auth-library';
import type { Config } from '../config.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { QuotaLimiter, UNLIMITED, type Limiter } from './quota-limiter.ts';
import type { CalendarSource } from './calendar-source.ts';
import { GMAIL_COSTS } from './google/gmail/gmail-costs.ts';
import { GmailMailSource } from './google/gmail/gmail-mail-source.ts';
import { createGoogleOAuthClient } from './google/oauth/google-oauth-client.ts';
import { createGoogleOAuthConnector } from './google/oauth/google-oauth-connector.ts';
import { GoogleCalendarSource } from './google/calendar/google-calendar-source.ts';
import type { MailSource } from './mail-source.ts';
import { GraphCalendarSource } from './microsoft/calendar/graph-calendar-source.ts';
import { GraphMailSource } from './microsoft/mail/graph-mail-source.ts';
import { GraphRequester } from './microsoft/graph-requester.ts';
import { createMicrosoftOAuthConnector } from './microsoft/oauth/microsoft-oauth-connector.ts';
import { MicrosoftTokenStore } from './microsoft/oauth/microsoft-token-store.ts';
import type { OAuthConnector } from './oauth-connector.ts';
import { ProviderError } from './provider-error.ts';

/**
 * Provider → MailSource / CalendarSource. Access tokens stay in this process's memory (never in
 * job data or Redis): one OAuth client per mailbox and refresh token, reused across that mailbox's
 * jobs until the stored credentials change (a reconnect).
 */
export type MailSourceFactory = (mailbox: ProviderMailbox) => MailSource;
export type CalendarSourceFactory = (mailbox: ProviderMailbox) => CalendarSource;

/** What the factories read of a mailbox: plain data, so providers never import the ORM entity. */
export interface ProviderMailbox {
  id: string;
  provider: 'google' | 'microsoft';
  /** The sealed refresh token. */
  credentials: string | null;
}

/** Google Calendar: 600 requests per minute per user (provider-apis.md §B.5); keep 5 % spare. */
const CALENDAR_REQUESTS_PER_MINUTE = 570;

export interface ProviderFactories {
  mail: MailSourceFactory;
  calendar: CalendarSourceFactory;
}

export function createProviderFactories(
  config: Config,
  box: SecretBox,
  em: EntityManager,
): ProviderFactories {
  const clients = new Map<string, { sealed: string; client: OAuth2Client }>();
  const microsoftTokens = new MicrosoftTokenStore(em, box, config);

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
  const requesters = new Map<string, GraphRequester>();
  const graphRequester = (mailbox: ProviderMailbox): GraphRequester => {
    const cached = requesters.get(mailbox.id);
    if (cached) {
      return cached;
    }
    const requester = new GraphRequester({
      graphUrl: config.microsoft.graphUrl,
      accessToken: () => microsoftTokens.accessToken(mailbox.id),
      invalidateToken: () => {
        microsoftTokens.invalidate(mailbox.id);
      },
      limiter:
        config.sync.graphRequestsPerWindow === 0
          ? UNLIMITED
          : new QuotaLimiter({
              unitsPerWindow: config.sync.graphRequestsPerWindow,
              windowMs: config.sync.graphWindowSeconds * 1000,
            }),
    });
    requesters.set(mailbox.id, requester);
    return requester;
  };

  const mail: MailSourceFactory = (mailbox) => {
    switch (mailbox.provider) {
      case 'google': {
        const quota = config.sync.gmailQuota;
        const regime = quota === 'off' ? 'old' : quota;
        return new GmailMailSource({
          auth: googleClient(mailbox),
          rootUrl: config.google.apiRootUrl,
          regime,
          limiter:
            quota === 'off'
              ? UNLIMITED
              : new QuotaLimiter({
                  unitsPerWindow:
                    config.sync.gmailQuotaUnitsPerMinute ?? GMAIL_COSTS[regime].unitsPerMinute,
                  windowMs: config.sync.gmailQuotaWindowSeconds * 1000,
                }),
        });
      }
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
      case 'google': {
        const limiter: Limiter =
          config.sync.gmailQuota === 'off'
            ? UNLIMITED
            : new QuotaLimiter({ unitsPerWindow: CALENDAR_REQUESTS_PER_MINUTE, windowMs: 60_000 });
        return new GoogleCalendarSource({
          auth: googleClient(mailbox),
          rootUrl: config.google.apiRootUrl,
          calendarIds: config.sync.googleCalendars,
          limiter,
        });
      }
      case 'microsoft':
        checkMicrosoftCredentials(mailbox);
        return new GraphCalendarSource({ graph: graphRequester(mailbox) });
    }
  };

  return { mail, calendar };
}

/** One OAuth connector per vendor: the HTTP connect routes serve each of them the same way. */
export function createOAuthConnectors(config: Config): OAuthConnector[] {
  return [createGoogleOAuthConnector(config), createMicrosoftOAuthConnector(config)];
}
