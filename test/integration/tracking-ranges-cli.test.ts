import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIpRangeMatcher,
  loadIpRangeFiles,
  type IpRangeFile,
} from '../../src/tracking/ip-ranges.ts';
import { json, runCli } from '../helpers/run-cli.ts';

/**
 * `tracking:ranges` through the real CLI into a temporary folder: it refreshes a list from a
 * vendor file, keeps what it is not told to change, and refuses a bad file without writing.
 */
interface Printed {
  name: string;
  ranges: number;
  added: number;
  removed: number;
  path: string;
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailroom-ranges-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const listPath = (name: string) => join(dir, `${name}.json`);
const readList = async (name: string) =>
  JSON.parse(await readFile(listPath(name), 'utf8')) as IpRangeFile;

async function vendorFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, 'utf8');
  return path;
}

const ranges = (args: string[]) => runCli(['tracking:ranges', '--dir', dir, ...args], {});

const CURRENT: IpRangeFile = {
  name: 'proofpoint',
  source: 'Proofpoint support page "Support Info"',
  retrievedAt: '2026-01-15',
  verified: true,
  notes: 'Networks published for firewall rules.',
  ranges: ['62.209.50.0/24', '91.209.104.0/24', '208.84.64.0/22'],
};

describe('tracking:ranges', () => {
  it('refreshes a list from a plain list, keeping its source and notes', async () => {
    await writeFile(listPath('proofpoint'), JSON.stringify(CURRENT), 'utf8');
    const file = await vendorFile(
      'support-info.txt',
      '# Proofpoint networks\n208.84.64.0/22\n62.209.50.0/24\n67.231.144.0/20\n67.231.144.0/20\n',
    );
    const out = json<Printed>(
      await ranges(['--name', 'proofpoint', '--file', file, '--retrieved-at', '2026-12-02']),
    );
    expect(out).toEqual({
      name: 'proofpoint',
      ranges: 3,
      added: 1,
      removed: 1,
      path: listPath('proofpoint'),
    });
    expect(await readList('proofpoint')).toEqual({
      ...CURRENT,
      retrievedAt: '2026-12-02',
      // Not passed --verified this time: a refreshed list is only verified when said so.
      verified: false,
      ranges: ['62.209.50.0/24', '67.231.144.0/20', '208.84.64.0/22'],
    });
    // The folder still loads as the recorder loads it, and the new range matches.
    const match = createIpRangeMatcher(loadIpRangeFiles(dir));
    expect(match('67.231.150.9')).toBe('proofpoint');
    expect(match('91.209.104.1')).toBeNull();
  });

  it('writes a new, verified list from Google’s ipranges JSON', async () => {
    const file = await vendorFile(
      'user-triggered-fetchers-google.json',
      JSON.stringify({
        creationTime: '2026-11-30T15:46:17.000000',
        prefixes: [{ ipv6Prefix: '2001:4860:4801:2008::/64' }, { ipv4Prefix: '34.22.85.0/27' }],
      }),
    );
    const out = json<Printed>(
      await ranges([
        '--name',
        'google-image-proxy',
        '--file',
        file,
        '--source',
        'developers.google.com/static/search/apis/ipranges/user-triggered-fetchers-google.json',
        '--retrieved-at',
        '2026-12-01',
        '--verified',
      ]),
    );
    expect(out).toMatchObject({ ranges: 2, added: 2, removed: 0 });
    expect(await readList('google-image-proxy')).toEqual({
      name: 'google-image-proxy',
      source:
        'developers.google.com/static/search/apis/ipranges/user-triggered-fetchers-google.json',
      retrievedAt: '2026-12-01',
      verified: true,
      ranges: ['34.22.85.0/27', '2001:4860:4801:2008::/64'],
    });
  });

  it.each([
    [
      'an invalid entry, naming its line',
      '1.2.3.0/24\n# next\n1.2.3/24\n',
      /line 3: .*1\.2\.3\/24/,
    ],
    ['an empty result', '# nothing\n\n', /no address range in the file/],
    [
      'an SPF include it cannot resolve',
      'v=spf1 include:_spf.google.com ~all\n',
      /line 1: include/,
    ],
  ])('refuses %s with one line, and writes nothing', async (_, text, message) => {
    const before = JSON.stringify(CURRENT);
    await writeFile(listPath('proofpoint'), before, 'utf8');
    const file = await vendorFile('vendor.txt', text);
    const res = await ranges(['--name', 'proofpoint', '--file', file]);
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^error: /);
    expect(res.stderr).toContain(file);
    expect(res.stderr).toMatch(message);
    expect(await readFile(listPath('proofpoint'), 'utf8')).toBe(before);
  });

  it('refuses a new list without --source, and a name the schema does not allow', async () => {
    const file = await vendorFile('list.txt', '192.0.2.0/24\n');
    const noSource = await ranges(['--name', 'mimecast', '--file', file]);
    expect(noSource.code).not.toBe(0);
    expect(noSource.stderr).toMatch(/^error: --source: required for a new list/);
    const badName = await ranges(['--name', '../evil', '--file', file, '--source', 'x']);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toMatch(/^error: --name: /);
    const badDate = await ranges(['--name', 'x', '--file', file, '--retrieved-at', '2026-13-01']);
    expect(badDate.stderr).toMatch(/^error: --retrieved-at: must be a date/);
  });

  it('says in its help that running processes load the lists when they start', async () => {
    const res = await runCli(['tracking:ranges', '--help'], {});
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/load the lists at start: restart them/);
  });
});
