import {
  buildGmailEmulator,
  type GmailEmulator,
  type GmailEmulatorOptions,
} from '../emulators/google/gmail-emulator.ts';
import { generateMessages, type GeneratedMessage } from './generate-messages.ts';

/** The mailbox every Gmail benchmark syncs. */
export const BENCH_OWNER = 'rep@northwindtraders.com';

/** A listening Gmail emulator holding `messages` generated messages (from `seed`) for the owner. */
export async function startBenchGmail(opts: {
  messages: number;
  seed: number;
  quota?: GmailEmulatorOptions['quota'];
}): Promise<{ emulator: GmailEmulator; url: string; generated: GeneratedMessage[] }> {
  const generated = generateMessages({
    count: opts.messages,
    seed: opts.seed,
    ownerEmail: BENCH_OWNER,
    internalDomain: 'northwindtraders.com',
  });
  const emulator = buildGmailEmulator({ quota: opts.quota ?? null });
  for (const m of generated) {
    emulator.store.addMessage(BENCH_OWNER, m.raw);
  }
  const url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  return { emulator, url, generated };
}

/** The settings that point Mailroom at the emulator, with the first sync taking every message. */
export function benchGmailEnv(url: string): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: 'bench',
    GOOGLE_CLIENT_SECRET: 'bench',
    GOOGLE_API_ROOT_URL: `${url}/`,
    GOOGLE_OAUTH_TOKEN_URL: `${url}/token`,
    MAILROOM_BACKFILL_DAYS: '0',
    MAILROOM_BACKFILL_MAX_MESSAGES: '0',
  };
}
