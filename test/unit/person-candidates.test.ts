import { describe, expect, it } from 'vitest';
import {
  bestCandidates,
  creatorOf,
  personUpdate,
  type StoredPerson,
} from '../../src/crm/person-candidates.ts';

const name = (firstName: string, lastName = '') => ({ firstName, lastName });
const candidate = (address: string, first: string, rank: number, at: string | null) =>
  creatorOf({ address, name: name(first, 'Doe'), companyDomain: 'acme.com' }, rank, at);

const stored = (over: Partial<StoredPerson> = {}): StoredPerson => ({
  id: 'p1',
  name: name('Jane', 'Doe'),
  nameRank: 1,
  observedAt: '2026-01-01T00:00:00.000Z',
  companyId: null,
  editedFields: [],
  ...over,
});

describe('person candidates', () => {
  it('an unnamed candidate has rank 0 and no time', () => {
    expect(
      creatorOf({ address: 'a@acme.com', name: name(''), companyDomain: null }, 2, '2026-01-01'),
    ).toMatchObject({ nameRank: 0, observedAt: null });
  });

  it('keeps the best name per address, whatever order the batch lists them in', () => {
    const a = candidate('jane@acme.com', 'Janet', 1, '2026-03-01T00:00:00.000Z');
    const b = candidate('jane@acme.com', 'Jane', 2, '2026-01-01T00:00:00.000Z');
    const c = candidate('bob@acme.com', 'Bob', 1, null);
    const forward = bestCandidates([a, b, c]);
    expect(forward.map((x) => [x.address, x.name.firstName])).toEqual([
      ['bob@acme.com', 'Bob'],
      ['jane@acme.com', 'Jane'],
    ]);
    expect(bestCandidates([c, b, a])).toEqual(forward);
  });

  it('renames a stored person only for a better name the user never edited', () => {
    const better = candidate('jane@acme.com', 'Janet', 2, '2026-01-01T00:00:00.000Z');
    expect(personUpdate(stored(), better, null)).toEqual({
      personId: 'p1',
      rename: { name: name('Janet', 'Doe'), nameRank: 2, observedAt: '2026-01-01T00:00:00.000Z' },
      companyId: null,
    });
    const older = candidate('jane@acme.com', 'Janet', 1, '2025-01-01T00:00:00.000Z');
    expect(personUpdate(stored(), older, null)).toBeNull();
    expect(personUpdate(stored({ editedFields: ['lastName'] }), better, null)).toBeNull();
  });

  it('fills a missing company unless the user edited it', () => {
    const same = candidate('jane@acme.com', 'Jane', 1, '2026-01-01T00:00:00.000Z');
    expect(personUpdate(stored(), same, 'c1')).toEqual({
      personId: 'p1',
      rename: null,
      companyId: 'c1',
    });
    expect(personUpdate(stored({ companyId: 'c0' }), same, 'c1')).toBeNull();
    expect(personUpdate(stored({ editedFields: ['companyId'] }), same, 'c1')).toBeNull();
  });
});
