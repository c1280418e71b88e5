import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localhostCertificate } from './tls.ts';

/**
 * The local emulator certificate, made once into a git-ignored folder and reused, so processes
 * can be started with NODE_EXTRA_CA_CERTS pointing at it (Node reads that variable at startup).
 */
export async function localTls(
  dir: string,
): Promise<{ key: string; cert: string; certPath: string }> {
  const keyPath = join(dir, 'graph-emulator-key.pem');
  const certPath = join(dir, 'graph-emulator-cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    await mkdir(dir, { recursive: true });
    const { key, cert } = await localhostCertificate();
    await writeFile(keyPath, key, { mode: 0o600 });
    await writeFile(certPath, cert);
  }
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8'), certPath };
}
