#!/usr/bin/env node
// `npx mailroom <command> [flags]`: the CLI without npm's argument parsing in the way (npm run
// takes flags such as --workspace for itself unless they follow `--`). A .js launcher because
// Node strips TypeScript types only outside node_modules, and npm links bins from there.
// The sources need a Node that runs TypeScript (22.18+); `npx` puts node_modules/.bin first on
// PATH, so `node` above is the project's own Node 24 (the `node` devDependency).
import process from 'node:process';

if (!process.features.typescript) {
  process.stderr.write(
    `error: mailroom needs Node.js 22.18 or later (this is ${process.version}); run it with npx mailroom or npm run --silent mailroom -- …\n`,
  );
  process.exit(1);
}
await import('./main.ts');
