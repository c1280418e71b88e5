import { EntitySchema } from '@mikro-orm/core';
import type { EnrichmentSettings } from '../../crm/enrichment-settings.ts';

export interface Workspace {
  id: string;
  name: string;
  /** Domains whose people are colleagues, never CRM contacts (subdomains included). */
  internalDomains: string[];
  /** Addresses (`a@b.com`) or whole domains (`b.com`) that must never reach the CRM. */
  blocklist: string[];
  settings: Partial<EnrichmentSettings>;
  createdAt: Date;
}

export const WorkspaceSchema = new EntitySchema<Workspace>({
  name: 'Workspace',
  tableName: 'workspace',
  properties: {
    id: { type: 'uuid', primary: true },
    name: { type: 'text' },
    internalDomains: { type: 'text[]', default: '{}' },
    blocklist: { type: 'text[]', default: '{}' },
    settings: { type: 'json', default: '{}' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
