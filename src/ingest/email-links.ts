import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Links email participants to people and logs the email activities those links call for:
 * participants of the given emails, and participants anywhere in the workspace whose address
 * belongs to a person created just now (by mail or by a meeting), so a person's earlier mail joins
 * their timeline. EMAIL_RECEIVED for the sender of received mail, EMAIL_SENT for recipients of
 * sent mail, keyed on type + person + logical email, so one logical email is one activity.
 */
const json = (value: unknown): string => JSON.stringify(value);

export async function linkEmailParticipants(
  tx: EntityManager,
  workspaceId: string,
  emailIds: readonly string[],
  newPeople: readonly string[],
): Promise<{ linked: number; activitiesCreated: number }> {
  if (emailIds.length === 0 && newPeople.length === 0) {
    return { linked: 0, activitiesCreated: 0 };
  }
  const linked = await tx.execute<{ email_id: string }[]>(
    `update email_participant ep
        set person_id = pe.person_id, company_id = p.company_id
       from person_email pe join person p on p.id = pe.person_id
      where ep.workspace_id = ? and pe.workspace_id = ep.workspace_id and pe.email = ep.address
        and ep.linkable and ep.person_id is null
        and (ep.email_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
             or ep.address in (select jsonb_array_elements_text(?::jsonb)))
      returning ep.email_id`,
    [workspaceId, json(emailIds), json(newPeople)],
  );
  const affected = [...new Set(linked.map((r) => r.email_id))];
  if (affected.length === 0) {
    return { linked: 0, activitiesCreated: 0 };
  }
  const activities = await tx.execute<{ id: string }[]>(
    `insert into activity (id, workspace_id, type, person_id, company_id, email_id,
       internet_message_id, occurred_at, idempotency_key)
     select md5(x.key)::uuid, x.workspace_id, x.type, x.person_id, x.company_id, x.email_id,
       x.internet_message_id, x.occurred_at, x.key
       from (
         select e.workspace_id, ep.person_id, ep.company_id, e.id as email_id,
                e.internet_message_id, coalesce(e.sent_at, e.created_at) as occurred_at,
                case e.direction when 'inbound' then 'EMAIL_RECEIVED' else 'EMAIL_SENT' end as type,
                (case e.direction when 'inbound' then 'EMAIL_RECEIVED' else 'EMAIL_SENT' end)
                  || ':' || ep.person_id || ':' || e.logical_key as key
           from email_participant ep join email e on e.id = ep.email_id
          where ep.email_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
            and ep.person_id is not null and e.crm_skip_reason is null and not e.deleted
            and ((e.direction = 'inbound' and ep.role = 'from')
              or (e.direction = 'outbound' and ep.role <> 'from'))
          order by e.sent_at nulls last, e.id, ep.position
       ) x
     on conflict (workspace_id, idempotency_key) do nothing
     returning id`,
    [json(affected)],
  );
  return { linked: linked.length, activitiesCreated: activities.length };
}
