/**
 * Runs the Gmail emulator as a program: `npm run emulator:gmail -- --port 4010
 * --user dana@northwindtraders.com=fixtures/mailbox [--quota old|new --quota-scale K]
 * [--generated-users N [--generated-messages K]]`. Prints one JSON line with its URL and each
 * user's refresh token (generated users: `fleet-<n>@fleet.example`, `1//emu-fleet-<n>`), then
 * serves until stopped.
 * [--push-endpoint URL [--push-topic projects/mailroom-local/topics/gmail] [--push-audience AUD]]`.
 * With `--push-endpoint`, a Pub/Sub push subscription on that topic delivers watch notifications
 * there (with an OIDC token for AUD when given). Prints one JSON line with its URL, each user's
 * refresh token and the push subscription, then serves until stopped.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals, userSpecs } from '../shared/program.ts';
import { buildGmailEmulator } from './gmail-emulator.ts';
import { loadEmlFolder } from './load-fixtures.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    user: { type: 'string', multiple: true, default: [] },
    quota: { type: 'string', default: 'off' },
    'quota-scale': { type: 'string', default: '1' },
    'generated-users': { type: 'string', default: '0' },
    'generated-messages': { type: 'string', default: '3' },
    'push-endpoint': { type: 'string' },
    'push-topic': { type: 'string', default: 'projects/mailroom-local/topics/gmail' },
    'push-audience': { type: 'string' },
  },
});

const quota = values.quota === 'old' || values.quota === 'new' ? values.quota : null;
const emulator = buildGmailEmulator({
  quota: quota ? { regime: quota, scale: Number(values['quota-scale']) } : null,
  ...(Number(values['generated-users']) > 0 && {
    generatedUsers: {
      count: Number(values['generated-users']),
      messagesPerUser: Number(values['generated-messages']),
    },
  }),
});
const users = [];
for (const { email, dir } of userSpecs(values.user)) {
  emulator.store.user(email);
  const messages = dir ? await loadEmlFolder(emulator.store, email, dir) : 0;
  users.push({ email, messages, refreshToken: emulator.auth.issueRefreshToken(email) });
}
let push = null;
if (values['push-endpoint']) {
  const made = emulator.pubsub.subscribe({
    topic: values['push-topic'],
    pushEndpoint: values['push-endpoint'],
    audience: values['push-audience'],
  });
  if ('refused' in made) {
    throw new Error(`--push-endpoint/--push-topic: ${made.refused}`);
  }
  push = made;
}
const url = await emulator.app.listen({ port: Number(values.port), host: values.host });
process.stdout.write(`${JSON.stringify({ url, users, push })}\n`);
closeOnSignals(emulator.app);
