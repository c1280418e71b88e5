/**
 * Runs the Graph + Microsoft identity emulator as a program: `npm run emulator:graph -- --port 4020
 * --user li.chen@northwindtraders.com=fixtures/mailbox [--throttle-scale K]
 * [--allow-http-notifications]`; the last accepts http:// subscription notification URLs (a local
 * Mailroom over plain HTTP). Messages the user sent go to Sent Items, the rest to Inbox. Prints
 * one JSON line with its URL, the certificate to put in NODE_EXTRA_CA_CERTS, and each user's
 * refresh token; serves until stopped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closeOnSignals, userSpecs } from '../shared/program.ts';
import { buildGraphEmulator } from './graph-emulator.ts';
import { localTls } from './local-tls.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4020' },
    host: { type: 'string', default: '127.0.0.1' },
    user: { type: 'string', multiple: true, default: [] },
    'throttle-scale': { type: 'string' },
    'allow-http-notifications': { type: 'boolean', default: false },
  },
});

const tls = await localTls(fileURLToPath(new URL('../../.local', import.meta.url)));
const scale = values['throttle-scale'] === undefined ? null : Number(values['throttle-scale']);
const emulator = buildGraphEmulator({
  tls,
  requestsPerWindow: scale ? 10_000 : null,
  throttleScale: scale ?? 1,
  allowHttpNotifications: values['allow-http-notifications'],
});
const users = [];
for (const { email, dir } of userSpecs(values.user)) {
  emulator.store.mailbox(email);
  let messages = 0;
  if (dir) {
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort()) {
      const raw = await readFile(join(dir, file));
      const head = raw.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
      const sent = new RegExp(`^From:.*${email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'im').test(
        head,
      );
      await emulator.addMime(email, sent ? 'sentitems' : 'inbox', raw);
      messages++;
    }
  }
  users.push({ email, messages, refreshToken: emulator.identity.issueRefreshToken(email) });
}
await emulator.app.listen({ port: Number(values.port), host: values.host });
process.stdout.write(
  `${JSON.stringify({ url: emulator.baseUrl(), certPath: tls.certPath, users })}\n`,
);
closeOnSignals(emulator.app);
