/**
 * The web views' build: `npm run build:web` (also run by `npm ci` through `prepare`) writes
 * dist/web/, which `npm start` serves at /app/. Everything is bundled: no CDN, no remote fonts.
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/app/',
  // Quiet: the build runs inside `npm ci`, where only problems should print.
  logLevel: 'warn',
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Evergreen browsers support modulepreload; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    // One small bundle; no inline data: URLs (the CSP allows only 'self').
    assetsInlineLimit: 0,
  },
});
