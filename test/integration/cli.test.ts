import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEml } from '../helpers/build-eml.ts';
import { connectMailboxViaCli, connectViaCli, json, runCli } from '../helpers/run-cli.ts';
import { openTestOrm, testDatabaseUrl } from '../helpers/test-orm.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { createDatabaseIfMissing, dropDatabase } from '../../src/db/create-database.ts';

const env = () => ({
  DATABASE_URL: testDatabaseUrl(),
  MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
});

async function folderOf(messages: Buffer[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-cli-'));
  await Promise.all(
    messages.map((m, i) => writeFile(join(dir, `${String(i).padStart(4, '0')}.eml`), m)),
  );
  return dir;
}

describe('CLI contract', () => {
  it('migrate, workspace:create, mailbox:connect, ingest:eml, export, mailbox:status', async () => {
    const e = env();
    expect(json<{ applied: string[] }>(await runCli(['migrate'], e))).toEqual({ applied: [] });
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Acme', '--domain', 'Acme.com'], e),
    );
    const { id: mb } = await connectMailboxViaCli(e, ws, 'Rep@acme.com', 'secret-token-1');
    const dir = await folderOf([
      buildEml({
        from: 'Cleo Buyer <cleo@client.com>',
        to: ['rep@acme.com'],
        messageId: '<c1@client.com>',
      }),
      buildEml({ from: 'noreply@client.com', to: ['rep@acme.com'], messageId: '<c2@client.com>' }),
    ]);
    await writeFile(join(dir, 'not-mail.eml'), '');
    const ingest = json<{
      ingested: number;
      skipped: number;
      failed: { file: string; reason: string }[];
    }>(await runCli(['ingest:eml', '--workspace', ws, '--mailbox', mb, dir], e));
    expect(ingest).toEqual({
      ingested: 1,
      skipped: 1,
      failed: [{ file: join(dir, 'not-mail.eml'), reason: 'not an email message' }],
      ignored: [],
    });
    const exported = json<{ people: { email: string }[]; emails: unknown[] }>(
      await runCli(['export', '--workspace', ws], e),
    );
    expect(exported.people.map((p) => p.email)).toEqual(['cleo@client.com']);
    expect(exported.emails).toHaveLength(2);
    const status = json<{ status: string; email: string; counts: { emails: number } }>(
      await runCli(['mailbox:status', '--mailbox', mb], e),
    );
    expect(status).toMatchObject({
      status: 'active',
      email: 'rep@acme.com',
      counts: { emails: 2 },
    });

    // The token is stored sealed, never in clear.
    const again = await connectMailboxViaCli(e, ws, 'rep@acme.com', 'secret-token-2');
    expect(again.id).toBe(mb);
    const orm = await openTestOrm();
    try {
      const [row] = await orm.em
        .fork()
        .execute<{ credentials: string }[]>('select credentials from mailbox where id = ?', [mb]);
      expect(row?.credentials).toMatch(/^v1\.[0-9a-f]{8}\./);
      expect(row?.credentials).not.toContain('secret-token');
      expect(new SecretBox(e.MAILROOM_ENCRYPTION_KEY).open(row?.credentials ?? '')).toBe(
        'secret-token-2',
      );
    } finally {
      await orm.close(true);
    }
  });

  it.each([
    [['export', '--workspace', 'not-a-uuid'], /--workspace: must be an id/],
    [
      ['export', '--workspace', '00000000-0000-4000-8000-000000000000'],
      /workspace 00000000-0000-4000-8000-000000000000 not found/,
    ],
    [['workspace:create'], /required option '--name <name>' not specified/],
    [
      [
        'mailbox:connect',
        '--workspace',
        '00000000-0000-4000-8000-000000000000',
        '--provider',
        'yahoo',
        '--email',
        'a@b.com',
        '--refresh-token',
        't',
      ],
      /--provider: must be google or microsoft/,
    ],
    [['nonsense'], /unknown command 'nonsense'/],
    [
      [
        'ingest:eml',
        '--workspace',
        '00000000-0000-4000-8000-000000000000',
        '--mailbox',
        '00000000-0000-4000-8000-000000000000',
        '/no/such/path',
      ],
      /no such file or folder: \/no\/such\/path/,
    ],
    [
      [
        'calendar',
        '--workspace',
        '00000000-0000-4000-8000-000000000000',
        '--from',
        'yesterday',
        '--to',
        '2026-01-02T00:00:00Z',
      ],
      /--from: must be a date \(2026-12-01\) or an ISO 8601 date-time/,
    ],
    [
      [
        'calendar',
        '--workspace',
        '00000000-0000-4000-8000-000000000000',
        '--from',
        '2026-01-02T00:00:00Z',
        '--to',
        '2026-01-01T00:00:00Z',
      ],
      /--to must be after --from/,
    ],
    [
      [
        'calendar',
        '--workspace',
        '00000000-0000-4000-8000-000000000000',
        '--from',
        '2026-01-01T00:00:00Z',
        '--to',
        '2026-01-02T00:00:00Z',
      ],
      /workspace 00000000-0000-4000-8000-000000000000 not found/,
    ],
  ])('%j fails with one clear line', async (args, message) => {
    const result = await runCli(args, env());
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('a malformed encryption key stops the program naming the setting', async () => {
    const result = await runCli(
      [
        'mailbox:connect',
        '--workspace',
        '00000000-0000-4000-8000-000000000000',
        '--provider',
        'google',
        '--email',
        'a@b.com',
        '--refresh-token',
        't',
      ],
      { DATABASE_URL: testDatabaseUrl(), MAILROOM_ENCRYPTION_KEY: 'too-short' },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/MAILROOM_ENCRYPTION_KEY must be 32 random bytes/);
  });

  it('two processes ingesting overlapping senders at once create each person and company once', async () => {
    const e = env();
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Race', '--domain', 'race.com'], e),
    );
    const connect = async (email: string) => (await connectMailboxViaCli(e, ws, email, 't')).id;
    const [a, b] = [await connect('a@race.com'), await connect('b@race.com')];
    // 40 senders at 10 companies, each writing to both reps (same Message-ID) and to one of them.
    const shared: Buffer[] = [];
    const onlyA: Buffer[] = [];
    const onlyB: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const from = `Sender ${i} <s${i}@company${i % 10}.com>`;
      shared.push(
        buildEml({ from, to: ['a@race.com', 'b@race.com'], messageId: `<shared-${i}@x>` }),
      );
      onlyA.push(buildEml({ from, to: ['a@race.com'], messageId: `<a-${i}@x>` }));
      onlyB.push(buildEml({ from, to: ['b@race.com'], messageId: `<b-${i}@x>` }));
    }
    const [dirA, dirB] = await Promise.all([
      folderOf([...shared, ...onlyA]),
      folderOf([...shared, ...onlyB]),
    ]);
    const results = await Promise.all([
      runCli(['ingest:eml', '--workspace', ws, '--mailbox', a, dirA], e),
      runCli(['ingest:eml', '--workspace', ws, '--mailbox', b, dirB], e),
    ]);
    for (const r of results) {
      expect(json(r)).toEqual({ ingested: 80, skipped: 0, failed: [], ignored: [] });
    }
    const data = json<{
      people: unknown[];
      companies: unknown[];
      activities: { type: string; personEmail: string; internetMessageId: string }[];
    }>(await runCli(['export', '--workspace', ws], e));
    expect(data.people).toHaveLength(40);
    expect(data.companies).toHaveLength(10);
    // 40 shared (once each) + 40 only-A + 40 only-B.
    expect(data.activities).toHaveLength(120);
    const keys = data.activities.map((x) => `${x.type}|${x.personEmail}|${x.internetMessageId}`);
    expect(new Set(keys).size).toBe(120);
  });

  it('ingest:eml fails files that are not email and reports what it passes over', async () => {
    const e = env();
    const { ws, mb } = await connectViaCli(
      e,
      { name: 'Files', domain: 'files.com' },
      { email: 'rep@files.com', refreshToken: 't' },
    );
    const dir = await folderOf([
      buildEml({
        from: 'Ann <ann@client.com>',
        to: ['rep@files.com'],
        messageId: '<f1@client.com>',
      }),
    ]);
    const good = join(dir, '0000.eml');
    // Named on the command line: package.json, a PNG and random bytes (the last as `.eml`).
    const packageJson = join(dir, 'package.json');
    await copyFile(new URL('../../package.json', import.meta.url), packageJson);
    const png = join(dir, 'image.png');
    await writeFile(
      png,
      Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(512)]),
    );
    const noise = join(dir, 'noise.eml');
    await writeFile(noise, randomBytes(4096));
    await symlink(good, join(dir, 'link.eml'));
    await writeFile(join(dir, 'notes.txt'), 'hello');
    const unreadable = join(dir, 'locked.eml');
    await writeFile(unreadable, 'Subject: locked\n\nx');
    await chmod(unreadable, 0o000);
    const root = process.getuid?.() === 0; // root reads it anyway
    const result = json<{
      ingested: number;
      skipped: number;
      failed: { file: string; reason: string }[];
      ignored: { file: string; reason: string }[];
    }>(await runCli(['ingest:eml', '--workspace', ws, '--mailbox', mb, dir, packageJson, png], e));
    expect(result).toEqual({
      ingested: 1,
      skipped: root ? 1 : 0,
      failed: [
        { file: png, reason: 'not an email message' },
        ...(root ? [] : [{ file: unreadable, reason: 'cannot read: EACCES' }]),
        { file: noise, reason: 'not an email message' },
        { file: packageJson, reason: 'not an email message' },
      ],
      ignored: [
        { file: join(dir, 'image.png'), reason: 'not a .eml file' },
        { file: join(dir, 'link.eml'), reason: 'symbolic link, not followed' },
        { file: join(dir, 'notes.txt'), reason: 'not a .eml file' },
        { file: join(dir, 'package.json'), reason: 'not a .eml file' },
      ],
    });
    const exported = json<{ emails: unknown[] }>(await runCli(['export', '--workspace', ws], e));
    expect(exported.emails).toHaveLength(root ? 2 : 1);
  });
});

describe('a database that is missing or not migrated', () => {
  const urlOf = (name: string) => {
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${name}`;
    return url.toString();
  };
  const databaseExists = async (name: string) => {
    const orm = await openTestOrm();
    try {
      const rows = await orm.em
        .fork()
        .execute<{ n: string }[]>('select count(*) as n from pg_database where datname = ?', [
          name,
        ]);
      return Number(rows[0]?.n) === 1;
    } finally {
      await orm.close(true);
    }
  };
  const commands = [
    ['export', '--workspace', '00000000-0000-4000-8000-000000000000'],
    ['workspace:create', '--name', 'Typo'],
    ['mailbox:status', '--mailbox', '00000000-0000-4000-8000-000000000000'],
  ];

  it('is never created by a command other than migrate', async () => {
    const name = `mailroom_typo_${randomBytes(4).toString('hex')}`;
    for (const args of commands) {
      const result = await runCli(args, { ...env(), DATABASE_URL: urlOf(name) });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`database "${name}" does not exist`);
      expect(result.stderr).toContain('run `npm run migrate`');
    }
    expect(await databaseExists(name)).toBe(false);
  });

  it('an empty database asks for migrate in one line, and migrate makes it usable', async () => {
    const name = `mailroom_empty_${randomBytes(4).toString('hex')}`;
    await createDatabaseIfMissing(urlOf(name));
    const e = { ...env(), DATABASE_URL: urlOf(name) };
    try {
      for (const args of commands) {
        const result = await runCli(args, e);
        expect(result.code).not.toBe(0);
        expect(result.stdout).toBe('');
        expect(result.stderr.trim()).toBe(
          `error: database "${name}" is not migrated: run \`npm run migrate\``,
        );
      }
      expect(json<{ applied: string[] }>(await runCli(['migrate'], e)).applied).not.toEqual([]);
      expect(json<{ id: string }>(await runCli(commands[1] ?? [], e)).id).toMatch(/-/);
    } finally {
      await dropDatabase(urlOf(name));
    }
  });
});
