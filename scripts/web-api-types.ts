/**
 * `npm run web:api-types`: regenerates web/src/api/schema.d.ts from the document the app serves.
 * Needs a migrated database (`DATABASE_URL`, else the local default) and Redis (`REDIS_URL`).
 */
import { writeFile } from 'node:fs/promises';
import { API_TYPES_FILE, renderApiTypes } from './render-api-types.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/mailroom';
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
await writeFile(API_TYPES_FILE, await renderApiTypes(databaseUrl, redisUrl));
console.log(`wrote ${API_TYPES_FILE.pathname}`);
