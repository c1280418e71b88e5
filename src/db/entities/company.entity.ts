import { EntitySchema } from '@mikro-orm/core';

export interface Company {
  id: string;
  workspaceId: string;
  domain: string;
  name: string;
  source: string;
  editedFields: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const CompanySchema = new EntitySchema<Company>({
  name: 'Company',
  tableName: 'company',
  uniques: [{ properties: ['workspaceId', 'domain'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    workspaceId: { type: 'uuid' },
    domain: { type: 'text' },
    name: { type: 'text' },
    source: { type: 'text' },
    editedFields: { type: 'text[]', default: '{}' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
