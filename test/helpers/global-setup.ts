import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localhostCertificate } from '../../emulators/microsoft/tls.ts';
import type { TestProject } from 'vitest/node';
import { build } from 'vite';
import { dropDatabase } from '../../src/db/create-database.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * One fresh database per test run (`mailroom_test_<random>`), migrated with the real migrations,
 * dropped at the end. Runs never collide, on a developer machine or in CI. The servers are where
 * `DATABASE_URL` and `REDIS_URL` say (the test database is made beside `DATABASE_URL`'s), or
 * `TEST_DATABASE_ADMIN_URL` for a server where the application's database does not exist yet.
 */
function adminUrl(): string {
  const explicit = process.env['TEST_DATABASE_ADMIN_URL'];
  if (explicit) {
    return explicit;
  }
  const url = new URL(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/mailroom');
  url.pathname = '/postgres';
  return url.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = new URL(adminUrl());
  url.pathname = `/mailroom_test_${randomBytes(4).toString('hex')}`;
  await migrate(url.toString());
  project.provide('databaseUrl', url.toString());
  project.provide('redisUrl', process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  // The Graph emulator serves HTTPS (the Graph SDK sends tokens over https only). Node reads
  // NODE_EXTRA_CA_CERTS when a process starts, so it is set here, before the test workers fork.
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-tls-'));
  const { key, cert } = await localhostCertificate();
  await writeFile(join(dir, 'key.pem'), key);
  await writeFile(join(dir, 'cert.pem'), cert);
  process.env['NODE_EXTRA_CA_CERTS'] = join(dir, 'cert.pem');
  project.provide('tls', { key, cert, certPath: join(dir, 'cert.pem') });
  // The browser tests load the web views `npm start` serves (dist/web): built from this tree's
  // web/, so they never test a stale build (about a second).
  // The bundle users get: Vite follows NODE_ENV, which is `test` here (a development build of
  // Preact, a third larger, with its debug code).
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)),
      mode: 'production',
    });
  } finally {
    process.env['NODE_ENV'] = nodeEnv;
  }
  return () => dropDatabase(url.toString());
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    tls: { key: string; cert: string; certPath: string };
  }
}
