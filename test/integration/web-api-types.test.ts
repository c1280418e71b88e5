import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, renderApiTypes } from '../../scripts/render-api-types.ts';
import { testDatabaseUrl, testRedisUrl } from '../helpers/test-orm.ts';

describe('the web client types', () => {
  it('are what the served OpenAPI document generates (run `npm run web:api-types` when not)', async () => {
    const fresh = await renderApiTypes(testDatabaseUrl(), testRedisUrl());
    const committed = await readFile(API_TYPES_FILE, 'utf8');
    expect(fresh).toContain("'/api/v1/emails'");
    expect(committed).toBe(fresh);
  });
});
