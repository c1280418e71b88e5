import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { json, runCli, type CliResult } from '../helpers/run-cli.ts';
import { testDatabaseUrl } from '../helpers/test-orm.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN_DIR = join(ROOT, 'node_modules', '.bin');

const env = () => ({
  DATABASE_URL: testDatabaseUrl(),
  MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
});

/** Runs a program from the repository root as an operator's shell would (system PATH first). */
function runIn(file: string, args: string[], extraEnv: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...extraEnv },
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('CLI entry points', () => {
  it('npx mailroom runs the CLI (flags such as --workspace reach it, not npm)', async () => {
    const e = env();
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Bin', '--domain', 'bin.example'], e),
    );
    const result = await runIn('npx', ['--no-install', 'mailroom', 'export', '--workspace', ws], {
      ...e,
      LOG_LEVEL: 'warn',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ people: [], emails: [] });
  });

  it("the bin's `node` under npx is the project's Node (from node_modules/.bin), not the system's", async () => {
    const result = await runIn('npx', ['--no-install', '-c', 'command -v node'], {});
    expect(result.stdout.trim()).toBe(join(BIN_DIR, 'node'));
    const bin = await readFile(join(ROOT, 'src', 'cli', 'bin.js'), 'utf8');
    expect(bin.split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('npm run mailroom without `--` names the flags npm took instead of failing obscurely', async () => {
    const result = await runIn(
      'npm',
      ['run', '--silent', 'mailroom', 'sync', '--mailbox', '00000000-0000-4000-8000-000000000000'],
      env(),
    );
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('npm warn'));
    expect(lines).toEqual([
      'error: npm took --mailbox as its own flag: put -- before the command (npm run --silent mailroom -- sync …) or run npx mailroom sync …',
    ]);
  });

  it('--help loads no command module and none of the application', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailroom-imports-'));
    const log = join(dir, 'imports.txt');
    const result = await runIn(
      process.execPath,
      [
        '--import',
        join(ROOT, 'test', 'helpers', 'record-imports.ts'),
        join(ROOT, 'src', 'cli', 'main.ts'),
        '--help',
      ],
      { RECORD_IMPORTS_TO: log },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/mailbox:disconnect/);
    const loaded = (await readFile(log, 'utf8')).split('\n');
    const heavy = loaded.filter((url) =>
      /\/src\/cli\/commands\/|\/src\/app\/|\/node_modules\/(@mikro-orm|bullmq|ioredis|googleapis|@googleapis|@microsoft)\//.test(
        url,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it("help <command> prints that command's help; no command at all is one error line", async () => {
    const help = await runCli(['help', 'mailbox:disconnect'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--purge/);
    const none = await runCli([], {});
    expect(none.code).not.toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('error: no command given; mailroom --help lists them\n');
  });
});
