import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localhostCertificate } from '../../emulators/microsoft/tls.ts';
import type { TestProject } from 'vitest/node';
import { dropDatabase } from '../../src/db/create-database.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * One fresh database per test run (`mailroom_test_<random>`), migrated with the real migrations,
 * dropped at the end. Runs never collide, on a developer machine or in CI.
 */
const ADMIN_URL =
  process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/mailroom_test_${randomBytes(4).toString('hex')}`;
  await migrate(url.toString());
  project.provide('databaseUrl', url.toString());
  // The Graph emulator serves HTTPS (the Graph SDK sends tokens over https only). Node reads
  // NODE_EXTRA_CA_CERTS when a process starts, so it is set here, before the test workers fork.
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-tls-'));
  const { key, cert } = await localhostCertificate();
  await writeFile(join(dir, 'key.pem'), key);
  await writeFile(join(dir, 'cert.pem'), cert);
  process.env['NODE_EXTRA_CA_CERTS'] = join(dir, 'cert.pem');
  project.provide('tls', { key, cert, certPath: join(dir, 'cert.pem') });
  return () => dropDatabase(url.toString());
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    tls: { key: string; cert: string; certPath: string };
  }
}
