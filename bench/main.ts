import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { benchGmailBackfill } from './gmail-backfill.bench.ts';
import { benchIngest } from './ingest.bench.ts';

/** `npm run --silent bench -- <scenario> [flags]`: prints one JSON line of figures. */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    messages: { type: 'string', default: '2000' },
    quota: { type: 'string' },
    'quota-scale': { type: 'string', default: '1' },
  },
});

const scenario = positionals[0];
const count = Number(values.messages);
if (!Number.isInteger(count) || count <= 0) {
  process.stderr.write('error: --messages must be a positive integer\n');
  process.exit(1);
}

try {
  const config = await loadConfig();
  switch (scenario ?? '') {
    case 'ingest':
      process.stdout.write(`${JSON.stringify(await benchIngest(config, count))}\n`);
      break;
    case 'gmail-backfill': {
      const quota = values.quota;
      if (quota !== undefined && quota !== 'old' && quota !== 'new') {
        throw new Error('--quota must be old or new');
      }
      const quotaScale = Number(values['quota-scale']);
      if (!(quotaScale > 0)) {
        throw new Error('--quota-scale must be a positive number');
      }
      const figures = await benchGmailBackfill(config, {
        messages: count,
        quota: quota ?? null,
        quotaScale,
      });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      break;
    }
    default:
      process.stderr.write(
        `error: unknown scenario '${scenario ?? ''}' (known: ingest, gmail-backfill)\n`,
      );
      process.exit(1);
  }
} catch (err) {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
}
