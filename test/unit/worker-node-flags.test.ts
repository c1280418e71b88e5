import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerNodeFlags } from '../../bench/worker-node-flags.ts';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the worker starts with the same V8 flags everywhere', () => {
  it('npm run worker takes them from package.json config.workerNodeFlags', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['worker']).toBe(
      'exec node $npm_package_config_workerNodeFlags src/worker.ts',
    );
    expect(workerNodeFlags()).toContain('--max-semi-space-size=2');
  });

  it('docker-compose starts the worker with them', () => {
    const compose = read('docker-compose.yml');
    const service = compose.slice(compose.indexOf('\n  worker:\n'));
    const line = /^\s+command: (\[.*\])$/m.exec(service)?.[1];
    expect(line).toBeDefined();
    const command = JSON.parse((line ?? '').replaceAll("'", '"')) as string[];
    expect(command).toEqual(['node', ...workerNodeFlags(), 'src/worker.ts']);
  });
});
