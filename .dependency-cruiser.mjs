/**
 * Dependencies point one way. The folders of src/ are layered, lowest first; a module may import
 * its own folder and the folders below it, never one above. That rules out folder-level cycles by
 * construction, and `no-circular` rules out module-level ones inside a folder.
 * Emulators are test infrastructure: production code never imports them, and they never import
 * production code (a bug shared by both would hide from the tests).
 */
const LAYERS = [
  // Foundation: configuration, logging, errors, secrets.
  [
    'src/config.ts',
    'src/logger.ts',
    'src/errors.ts',
    'src/error-line.ts',
    'src/shutdown.ts',
    'src/types',
    'src/security',
    // Metrics: recorded at chokepoints in every layer above, so below all of them.
    'src/observability',
  ],
  // Pure domain: addresses, iCalendar and time zones, MIME parsing, enrichment rules, the event
  // catalog, the read models' schemas and the tracking core (tokens, HTML instrumenting, hit rules).
  ['src/addresses'],
  ['src/calendar'],
  ['src/mail'],
  ['src/crm'],
  ['src/events', 'src/read-models', 'src/tracking'],
  // Persistence: entities, repositories and read models own every SQL statement.
  ['src/db'],
  // Provider adapters behind narrow ports.
  ['src/providers'],
  // Use cases.
  ['src/ingest'],
  ['src/sync'],
  [
    'src/mailboxes',
    'src/workspaces',
    'src/export',
    'src/webhooks',
    'src/engagement',
    'src/sending',
    'src/push',
  ],
  // The service layer the API routes, MCP tools, CLI and web views share, scoped to a workspace.
  ['src/services'],
  // The job layer: BullMQ wiring and the retry policy, then the jobs themselves.
  ['src/queue'],
  ['jobs'],
  // Composition root and delivery: services container, HTTP, CLI, process entry points.
  ['src/app'],
  ['src/mcp'],
  ['src/http'],
  ['src/cli'],
  ['src/main.ts', 'src/worker.ts', 'src/mcp-main.ts'],
];

const esc = (path) => path.replace(/[.]/g, '\\.');
const pattern = (paths) => `^(${paths.map((p) => `${esc(p)}(/|$)`).join('|')})`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${i}-imports-upward`,
  comment: `${layer.join(', ')} may not import a higher layer`,
  severity: 'error',
  from: { path: pattern(layer) },
  to: { path: pattern(LAYERS.slice(i + 1).flat()) },
}));

export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-emulators-in-product',
      comment: 'production code never imports the emulators',
      severity: 'error',
      from: { path: '^(src|jobs|migrations)/' },
      to: { path: '^emulators/' },
    },
    {
      name: 'emulators-stand-alone',
      comment: 'the emulators never import production code',
      severity: 'error',
      from: { path: '^emulators/' },
      to: { path: '^(src|jobs|migrations)/' },
    },
    {
      name: 'no-unlisted-src-folder',
      comment: 'every folder of src/ has a place in LAYERS (and a line in the README)',
      severity: 'error',
      from: { path: '^src/', pathNot: pattern(LAYERS.flat()) },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|test|bench|scripts|fixtures)/' },
  },
};
