import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectMailboxViaCli, json, runCli } from '../helpers/run-cli.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * Runs the CLI with stderr on a pseudo-terminal (util-linux `script`) and stdout in a file, as an
 * operator at a terminal who redirects the JSON: returns what the terminal showed and the JSON.
 */
async function runOnTerminal(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; terminal: string; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-tty-'));
  const out = join(dir, 'out.json');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', `${command} > ${quote(out)}`, '/dev/null'],
      { env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', TERM: 'xterm', ...env } },
      (err, terminal) => {
        void readFile(out, 'utf8').then((stdout) => {
          resolve({ code: err ? Number(err.code ?? 1) : 0, terminal, stdout });
        });
      },
    );
  });
}

it('ingest:eml and sync draw progress on a terminal and nothing when stderr is not one', async ({
  gmail: h,
}) => {
  const rep = 'rep@progress.example';
  h.emulator.store.user(rep);
  for (let i = 0; i < 6; i++) {
    h.emulator.store.addMessage(
      rep,
      buildEml({ from: `S${i} <s${i}@cust.example>`, to: [rep], messageId: `<p${i}@cust>` }),
    );
  }
  const { id: ws } = json<{ id: string }>(
    await runCli(['workspace:create', '--name', 'Progress', '--domain', 'progress.example'], h.env),
  );
  const mb = (await connectMailboxViaCli(h.env, ws, rep, h.emulator.auth.issueRefreshToken(rep)))
    .id;

  const sync = await runOnTerminal(['sync', '--mailbox', mb], h.env);
  expect(sync.code, sync.terminal).toBe(0);
  expect(JSON.parse(sync.stdout)).toMatchObject({ fetched: 6 });
  expect(sync.terminal).toMatch(/sync \[.*\] 6\/6 \| [\d.]+\/s \| ETA 0s/);

  const dir = await mkdtemp(join(tmpdir(), 'mailroom-progress-'));
  for (let i = 0; i < 12; i++) {
    await writeFile(
      join(dir, `m${String(i).padStart(2, '0')}.eml`),
      buildEml({ from: `F${i} <f${i}@files.example>`, to: [rep], messageId: `<f${i}@files>` }),
    );
  }
  const args = ['ingest:eml', '--workspace', ws, '--mailbox', mb, dir];
  const ingest = await runOnTerminal(args, h.env);
  expect(ingest.code, ingest.terminal).toBe(0);
  expect(JSON.parse(ingest.stdout)).toMatchObject({ ingested: 12, failed: [] });
  expect(ingest.terminal).toMatch(/ingest \[.*\] 12\/12 \| [\d.]+\/s \| ETA 0s/);

  // Piped, as scripts and these tests run it: the JSON and not a byte more.
  const piped = await runCli(args, h.env);
  expect(piped.code).toBe(0);
  expect(piped.stderr).toBe('');
  expect(piped.stdout.trim().split('\n')).toHaveLength(1);
});
