import { EntitySchema } from '@mikro-orm/core';

export type PersonSource = 'email' | 'calendar' | 'manual';

export interface Person {
  id: string;
  workspaceId: string;
  primaryEmail: string;
  firstName: string;
  lastName: string;
  companyId: string | null;
  source: PersonSource;
  /** Fields a user changed by hand; sync never overwrites them. */
  editedFields: string[];
  /** 2: the name came from the person's own From header; 1: from a recipient field; 0: none. */
  nameRank: number;
  nameObservedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PersonEmail {
  workspaceId: string;
  email: string;
  personId: string;
  /** Set when a delivery report said mail to this address failed (its latest bounce). */
  bouncedAt: Date | null;
  bounceStatus: string | null;
}

export const PersonSchema = new EntitySchema<Person>({
  name: 'Person',
  tableName: 'person',
  properties: {
    id: { type: 'uuid', primary: true },
    workspaceId: { type: 'uuid' },
    primaryEmail: { type: 'text' },
    firstName: { type: 'text', default: '' },
    lastName: { type: 'text', default: '' },
    companyId: { type: 'uuid', nullable: true },
    source: { type: 'text' },
    editedFields: { type: 'text[]', default: '{}' },
    nameRank: { type: 'smallint', default: 0 },
    nameObservedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});

export const PersonEmailSchema = new EntitySchema<PersonEmail>({
  name: 'PersonEmail',
  tableName: 'person_email',
  properties: {
    workspaceId: { type: 'uuid', primary: true },
    email: { type: 'text', primary: true },
    personId: { type: 'uuid' },
    bouncedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    bounceStatus: { type: 'text', nullable: true },
  },
});
