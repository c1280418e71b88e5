import { gmail } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildGmailEmulator, type GmailEmulator } from '../../emulators/google/gmail-emulator.ts';

/**
 * The Gmail emulator's generated users (the fleet benchmark's mailboxes): made by a control call,
 * stored only once a client uses one, each with its few messages, its refresh token derived from
 * its number and revocable like any other.
 */
let emulator: GmailEmulator;
let url: string;
beforeAll(async () => {
  emulator = buildGmailEmulator();
  url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await emulator.app.close();
});

function client(refreshToken: string) {
  const auth = new OAuth2Client({
    clientId: 'test-client',
    clientSecret: 'test-secret',
    endpoints: { oauth2TokenUrl: `${url}/token` },
  });
  auth.setCredentials({ refresh_token: refreshToken });
  return gmail({ version: 'v1', auth, rootUrl: `${url}/` });
}

it('makes 100,000 users without storing any, and each on first use with its messages', async () => {
  const res = await fetch(`${url}/__control/generated-users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count: 100_000, messagesPerUser: 4 }),
  });
  expect(await res.json()).toEqual({
    count: 100_000,
    messagesPerUser: 4,
    email: 'fleet-{n}@fleet.example',
    refreshToken: '1//emu-fleet-{n}',
  });
  expect(emulator.store.users.size).toBe(0);

  const api = client('1//emu-fleet-99999');
  const profile = await api.users.getProfile({ userId: 'me' });
  expect(profile.data.emailAddress).toBe('fleet-99999@fleet.example');
  const list = await api.users.messages.list({ userId: 'me' });
  expect(list.data.messages).toHaveLength(4);
  const first = await api.users.messages.get({
    userId: 'me',
    id: list.data.messages?.[0]?.id ?? '',
    format: 'metadata',
    metadataHeaders: ['Subject'],
  });
  expect(first.data.payload?.headers).toEqual([
    { name: 'Subject', value: 'Fleet message 0 for mailbox 99999' },
  ]);
  // Only the user touched is stored.
  expect([...emulator.store.users.keys()]).toEqual(['fleet-99999@fleet.example']);

  // A number past the count is no user; a revoked generated grant stays revoked.
  await expect(client('1//emu-fleet-100000').users.getProfile({ userId: 'me' })).rejects.toThrow(
    /invalid_grant/,
  );
  emulator.auth.revokeUser('fleet-99999@fleet.example');
  await expect(client('1//emu-fleet-99999').users.getProfile({ userId: 'me' })).rejects.toThrow(
    /invalid_grant/,
  );
});
