import { z } from 'zod';
import { queryRows, type Db } from '../sql.ts';

/**
 * Every secret Mailroom stores sealed (today: each mailbox's refresh token), for `keys:rotate`.
 * Rows are locked until the caller's transaction ends (a quick, local re-seal, no network call);
 * a Microsoft token refresh that ends meanwhile sees the re-sealed value in its compare-and-set,
 * recognises the same token and writes its rotated one over it. Writing a re-sealed value back is
 * `storeSealedCredentials` (mailbox-token.repository.ts).
 */
const sealedRow = z.object({ id: z.string(), credentials: z.string() });

export interface SealedSecret {
  mailboxId: string;
  sealed: string;
}

export async function lockAllSealedSecrets(tx: Db): Promise<SealedSecret[]> {
  const rows = await queryRows(
    tx,
    sealedRow,
    'select id, credentials from mailbox where credentials is not null order by id for update',
  );
  return rows.map((r) => ({ mailboxId: r.id, sealed: r.credentials }));
}
