import { failedRecipients, type BounceReport } from '../mail/bounce/bounce-report.ts';
import { activityKey } from './activity-keys.ts';
import type { EmailFacts } from './email-facts.ts';
import type { OurMessage } from './reply-rules.ts';

/**
 * Bounce detection (product.md "Bounces") as pure functions. A delivery report naming one of our
 * outbound messages gives, for each recipient whose delivery `failed` (delays and successes
 * change nothing), an `email.bounced` event and, when the address belongs to a CRM person, an
 * EMAIL_BOUNCED activity and the address marked as bouncing. Like replies, the writer asks this
 * whenever the report or our message is stored, so either may come first; keys make it count once.
 */
export interface StoredBounce {
  emailId: string;
  logicalKey: string;
  /** When the report was sent (else stored): the activity's time and the address's mark. */
  occurredAt: string;
  report: BounceReport;
  original: OurMessage;
  facts: EmailFacts;
}

export interface BouncePerson {
  personId: string;
  companyId: string | null;
  companyDomain: string | null;
}

export interface DetectedBounce {
  bounce: StoredBounce;
  /** The failed address as the report gives it (Final-Recipient). */
  recipient: string;
  status: string | null;
  /** The person's address the report names (Original-Recipient first: the one we wrote to). */
  address: string | null;
  person: BouncePerson | null;
  /** The activity's key; null when the address is nobody's. */
  key: string | null;
  /** What makes the event happen once: the report (logical email) and the failed address. */
  occurrence: string;
}

export function detectBounces(
  bounces: readonly StoredBounce[],
  people: ReadonlyMap<string, BouncePerson>,
): DetectedBounce[] {
  const seen = new Set<string>();
  const out: DetectedBounce[] = [];
  const sorted = [...bounces].sort((a, b) => a.emailId.localeCompare(b.emailId));
  for (const bounce of sorted) {
    for (const r of failedRecipients(bounce.report)) {
      const occurrence = `${bounce.logicalKey}:${r.recipient}`;
      if (seen.has(occurrence)) {
        continue;
      }
      seen.add(occurrence);
      const address = [r.originalRecipient, r.recipient].find((a) => a !== null && people.has(a));
      const person = address ? (people.get(address) ?? null) : null;
      out.push({
        bounce,
        recipient: r.recipient,
        status: r.status,
        address: address ?? null,
        person,
        key: person
          ? activityKey('EMAIL_BOUNCED', person.personId, bounce.logicalKey, `:${r.recipient}`)
          : null,
        occurrence,
      });
    }
  }
  return out;
}

/** Every address a person could be found under, for the lookup that feeds `detectBounces`. */
export function bounceAddresses(bounces: readonly StoredBounce[]): string[] {
  return [
    ...new Set(
      bounces.flatMap((b) =>
        failedRecipients(b.report).flatMap((r) =>
          r.originalRecipient ? [r.recipient, r.originalRecipient] : [r.recipient],
        ),
      ),
    ),
  ];
}
