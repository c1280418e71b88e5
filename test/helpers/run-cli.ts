import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testRedisUrl } from './test-orm.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in its own process, as an operator would (`npm run mailroom -- …`). */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          LOG_LEVEL: 'warn',
          REDIS_URL: testRedisUrl(),
          ...env,
        },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- typed view of CLI JSON
export function json<T>(result: CliResult): T {
  if (result.code !== 0) {
    throw new Error(`CLI failed (${result.code}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** `mailbox:connect` (Google) through the real CLI; `extra` adds flags such as `--alias`. */
export async function connectMailboxViaCli(
  env: Record<string, string>,
  workspaceId: string,
  email: string,
  refreshToken: string,
  extra: string[] = [],
): Promise<{ id: string }> {
  return json<{ id: string }>(
    await runCli(
      [
        'mailbox:connect',
        '--workspace',
        workspaceId,
        '--provider',
        'google',
        '--email',
        email,
        '--refresh-token',
        refreshToken,
        ...extra,
      ],
      env,
    ),
  );
}

/**
 * `workspace:create` then `mailbox:connect` (Google) through the real CLI, for tests whose subject
 * comes after that set-up.
 */
export async function connectViaCli(
  env: Record<string, string>,
  workspace: { name: string; domain: string },
  mailbox: { email: string; refreshToken: string },
): Promise<{ ws: string; mb: string }> {
  const { id: ws } = json<{ id: string }>(
    await runCli(['workspace:create', '--name', workspace.name, '--domain', workspace.domain], env),
  );
  const { id: mb } = await connectMailboxViaCli(env, ws, mailbox.email, mailbox.refreshToken);
  return { ws, mb };
}
