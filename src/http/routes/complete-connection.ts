import type { MailProvider } from '../../db/entities/mailbox.entity.ts';
import type { Orm } from '../../db/orm.ts';
import { MailroomError } from '../../errors.ts';
import { connectMailbox } from '../../mailboxes/connect-mailbox.ts';
import type { SecretBox } from '../../security/secret-box.ts';

/**
 * The end of every OAuth callback: the provider said which mailbox consented; store it with its
 * refresh token sealed (a reconnect keeps its id and clears `reauth_required`) and queue its sync.
 */
export interface ConnectionDeps {
  orm: Orm;
  box: SecretBox;
  scheduleSync: (mailboxId: string) => Promise<void>;
}

export async function completeConnection(
  deps: ConnectionDeps,
  input: {
    workspaceId: string;
    provider: MailProvider;
    email: string | undefined;
    refreshToken: string;
  },
): Promise<{ status: 'connected'; mailboxId: string; email: string; provider: MailProvider }> {
  const email = input.email?.toLowerCase();
  if (!email) {
    throw new MailroomError(
      'OAUTH_EXCHANGE_FAILED',
      `${input.provider} did not say which mailbox was connected`,
    );
  }
  const mailboxId = await connectMailbox(deps.orm.em.fork(), deps.box, {
    workspaceId: input.workspaceId,
    provider: input.provider,
    email,
    refreshToken: input.refreshToken,
    aliases: [],
    autoCreatePolicy: undefined,
  });
  await deps.scheduleSync(mailboxId);
  return { status: 'connected', mailboxId, email, provider: input.provider };
}
