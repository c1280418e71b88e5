import type { PersonName } from '../addresses/display-name.ts';

/**
 * A participant who creates (or names) a person, with where its name came from. Names must not
 * depend on the order mail is ingested in: a name from the person's own From header (rank 2)
 * beats one from a To/Cc/Bcc field (rank 1), then the most recent message wins, then the name
 * itself breaks a tie. The same comparison decides between candidates of one batch and between a
 * candidate and the stored person, so it is written only here.
 */
export interface PersonCandidate {
  address: string;
  name: PersonName;
  /** Registrable, non-personal domain the person's company is keyed on (null: no company). */
  companyDomain: string | null;
  nameRank: number;
  /** ISO 8601 UTC, or null when the candidate carries no name. */
  observedAt: string | null;
}

/** `rank`: 2 for a name the person gave themselves (From, a meeting's organizer), else 1. */
export function creatorOf(
  p: { address: string; name: PersonName; companyDomain: string | null },
  rank: number,
  observedAt: string | null,
): PersonCandidate {
  const named = p.name.firstName !== '' || p.name.lastName !== '';
  return {
    address: p.address,
    name: p.name,
    companyDomain: p.companyDomain,
    nameRank: named ? rank : 0,
    observedAt: named ? observedAt : null,
  };
}

type NameSource = Pick<PersonCandidate, 'name' | 'nameRank' | 'observedAt'>;

export function betterName(a: NameSource, b: NameSource): boolean {
  if (a.nameRank !== b.nameRank) {
    return a.nameRank > b.nameRank;
  }
  const at = a.observedAt ?? '';
  const bt = b.observedAt ?? '';
  if (at !== bt) {
    return at > bt;
  }
  return `${a.name.firstName} ${a.name.lastName}` > `${b.name.firstName} ${b.name.lastName}`;
}

/** The best candidate per address, in address order (a stable lock and insert order). */
export function bestCandidates(candidates: Iterable<PersonCandidate>): PersonCandidate[] {
  const best = new Map<string, PersonCandidate>();
  for (const candidate of candidates) {
    const known = best.get(candidate.address);
    if (!known || betterName(candidate, known)) {
      best.set(candidate.address, candidate);
    }
  }
  return [...best.values()].sort((a, b) => a.address.localeCompare(b.address));
}

/** What sync may change of a person that already exists. */
export interface StoredPerson {
  id: string;
  name: PersonName;
  nameRank: number;
  observedAt: string | null;
  companyId: string | null;
  editedFields: readonly string[];
}

export interface PersonUpdate {
  personId: string;
  /** The new name and its source, when the candidate's is better and the user never edited it. */
  rename: Pick<PersonCandidate, 'name' | 'nameRank' | 'observedAt'> | null;
  /** The company to set when the person has none and the user never edited it. */
  companyId: string | null;
}

/**
 * A better-sourced name and a missing company for an existing person, never a field a user
 * edited. `companyId` is the id of the candidate's company, if it exists. Null: nothing to change.
 */
export function personUpdate(
  stored: StoredPerson,
  candidate: PersonCandidate,
  companyId: string | null,
): PersonUpdate | null {
  const nameEdited =
    stored.editedFields.includes('firstName') || stored.editedFields.includes('lastName');
  const rename =
    !nameEdited && candidate.nameRank > 0 && betterName(candidate, stored)
      ? { name: candidate.name, nameRank: candidate.nameRank, observedAt: candidate.observedAt }
      : null;
  const setCompany =
    stored.companyId === null && companyId !== null && !stored.editedFields.includes('companyId');
  if (!rename && !setCompany) {
    return null;
  }
  return { personId: stored.id, rename, companyId: setCompany ? companyId : null };
}
