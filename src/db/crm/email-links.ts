import { z } from 'zod';
import { activityKey, emailActivityType } from '../../crm/activity-keys.ts';
import { jsonb, queryRows, type Db } from '../sql.ts';
import { insertActivities, type ActivityInput } from './activities.ts';

/**
 * Links email participants to people and logs the email activities those links call for:
 * participants of the given emails, and participants anywhere in the workspace whose address
 * belongs to a person created just now (by mail or by a meeting), so a person's earlier mail joins
 * their timeline. One logical email is one activity per person (crm/activity-keys.ts).
 */
export interface LinkedParticipant {
  emailId: string;
  role: string;
  position: number;
  address: string;
  companyDomain: string | null;
}

export interface EmailLinks {
  linked: LinkedParticipant[];
  activitiesCreated: number;
}

const LinkedRow = z.object({
  email_id: z.string(),
  role: z.string(),
  position: z.number(),
  address: z.string(),
  company_domain: z.string().nullable(),
});

const ParticipantRow = z.object({
  person_id: z.string(),
  company_id: z.string().nullable(),
  email_id: z.string(),
  internet_message_id: z.string().nullable(),
  occurred_at: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  role: z.enum(['from', 'to', 'cc', 'bcc']),
  logical_key: z.string(),
  crm_skipped: z.boolean(),
  deleted: z.boolean(),
});

export async function linkEmailParticipants(
  tx: Db,
  workspaceId: string,
  emailIds: readonly string[],
  newPeople: readonly string[],
): Promise<EmailLinks> {
  if (emailIds.length === 0 && newPeople.length === 0) {
    return { linked: [], activitiesCreated: 0 };
  }
  const linked = await queryRows(
    tx,
    LinkedRow,
    `update email_participant ep
        set person_id = pe.person_id, company_id = p.company_id
       from person_email pe join person p on p.id = pe.person_id
            left join company c on c.id = p.company_id
      where ep.workspace_id = ? and pe.workspace_id = ep.workspace_id and pe.email = ep.address
        and ep.linkable and ep.person_id is null
        and (ep.email_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
             or ep.address in (select jsonb_array_elements_text(?::jsonb)))
      returning ep.email_id, ep.role, ep.position, ep.address, c.domain as company_domain`,
    [workspaceId, jsonb(emailIds), jsonb(newPeople)],
  );
  const affected = [...new Set(linked.map((r) => r.email_id))];
  if (affected.length === 0) {
    return { linked: [], activitiesCreated: 0 };
  }
  // Every linked participant of an affected email, not only those linked now: the key makes the
  // ones logged before a no-op. Times travel as text to keep their microseconds.
  const participants = await queryRows(
    tx,
    ParticipantRow,
    `select ep.person_id, ep.company_id, e.id as email_id, e.internet_message_id,
            coalesce(e.sent_at, e.created_at)::text as occurred_at, e.direction, ep.role,
            e.logical_key, e.crm_skip_reason is not null as crm_skipped, e.deleted
       from email_participant ep join email e on e.id = ep.email_id
      where ep.email_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
        and ep.person_id is not null
      order by e.sent_at nulls last, e.id, ep.position`,
    [jsonb(affected)],
  );
  const activities: ActivityInput[] = participants.flatMap((p) => {
    const type = emailActivityType({
      direction: p.direction,
      role: p.role,
      crmSkipped: p.crm_skipped,
      deleted: p.deleted,
    });
    if (!type) {
      return [];
    }
    return [
      {
        type,
        personId: p.person_id,
        companyId: p.company_id,
        emailId: p.email_id,
        calendarEventId: null,
        internetMessageId: p.internet_message_id,
        icalUid: null,
        occurredAt: p.occurred_at,
        key: activityKey(type, p.person_id, p.logical_key),
        companyFromPerson: false,
      },
    ];
  });
  const created = await insertActivities(tx, workspaceId, activities);
  return {
    linked: linked.map((r) => ({
      emailId: r.email_id,
      role: r.role,
      position: r.position,
      address: r.address,
      companyDomain: r.company_domain,
    })),
    activitiesCreated: created.size,
  };
}
