import type { WorkspaceExport } from '../src/export/export-workspace.ts';
import type { IngestCounters } from '../src/ingest/ingest-types.ts';

/** The demo's human-readable summary (stdout); the CLI's JSON contract does not apply here. */
export interface DemoReportInput {
  title: string;
  counters: IngestCounters;
  extra: Record<string, number>;
  data: WorkspaceExport;
  skippedMessages: Record<string, number>;
  skippedParticipants: Record<string, number>;
  workspaceId: string;
}

const pad = (n: number, width: number) => String(n).padStart(width);

export function renderDemoReport(input: DemoReportInput): string {
  const c = input.counters;
  const out: string[] = [input.title, ''];
  out.push('this run       stored  already  people  companies  activities');
  out.push(
    `               ${pad(c.emailsStored, 6)}  ${pad(c.emailsAlreadyStored, 7)}  ${pad(c.peopleCreated, 6)}  ${pad(c.companiesCreated, 9)}  ${pad(c.activitiesCreated, 10)}`,
  );
  const extra = Object.entries(input.extra).map(([k, v]) => `${k} ${v}`);
  if (extra.length > 0) {
    out.push(`               ${extra.join(', ')}`);
  }
  const d = input.data;
  out.push('');
  out.push(
    `in the workspace: ${d.people.length} people, ${d.companies.length} companies, ${d.emails.length} emails, ${d.activities.length} activities`,
  );
  out.push('');
  out.push('most active people (email, name, company, activities)');
  const activityCount = new Map<string, number>();
  for (const a of d.activities as { personEmail: string }[]) {
    activityCount.set(a.personEmail, (activityCount.get(a.personEmail) ?? 0) + 1);
  }
  const count = (email: string) => activityCount.get(email) ?? 0;
  const people = (
    d.people as {
      email: string;
      firstName: string;
      lastName: string;
      companyDomain: string | null;
    }[]
  ).toSorted((a, b) => count(b.email) - count(a.email) || a.email.localeCompare(b.email));
  for (const p of people.slice(0, 25)) {
    out.push(
      `  ${p.email.padEnd(42)} ${`${p.firstName} ${p.lastName}`.trim().padEnd(22)} ${(p.companyDomain ?? '(personal)').padEnd(26)} ${pad(count(p.email), 3)}`,
    );
  }
  if (people.length > 25) {
    out.push(`  … and ${people.length - 25} more`);
  }
  out.push('');
  out.push('messages kept out of the CRM, by reason');
  for (const [reason, n] of Object.entries(input.skippedMessages)) {
    out.push(`  ${reason.padEnd(28)} ${pad(n, 5)}`);
  }
  out.push('');
  out.push('meetings (UTC; * = cancelled), with the CRM people on them');
  const events = d.events as {
    title: string;
    startsAt: string;
    allDay: boolean;
    startDate: string | null;
    status: string;
    mailboxEmail: string;
    attendees: { personEmail: string | null }[];
  }[];
  const seen = new Set<string>();
  for (const e of events) {
    const key = `${e.title} ${e.startsAt}`;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const when = e.allDay
      ? `${e.startDate ?? ''} (all day)`
      : e.startsAt.slice(0, 16).replace('T', ' ');
    const who = e.attendees.flatMap((a) => (a.personEmail ? [a.personEmail] : [])).join(', ');
    out.push(
      `  ${e.status === 'cancelled' ? '*' : ' '} ${when.padEnd(17)} ${e.title.padEnd(46)} ${who || '(no CRM people)'}`,
    );
  }
  const meetingActivities = new Map<string, number>();
  for (const a of d.activities as { type: string }[]) {
    if (a.type.startsWith('MEETING_')) {
      meetingActivities.set(a.type, (meetingActivities.get(a.type) ?? 0) + 1);
    }
  }
  out.push(
    `  ${events.length} events stored; activities: ${[...meetingActivities].map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}`,
  );
  out.push('');
  out.push('participants who created no record, by reason');
  for (const [reason, n] of Object.entries(input.skippedParticipants)) {
    out.push(`  ${reason.padEnd(28)} ${pad(n, 5)}`);
  }
  out.push('');
  out.push(
    `workspace ${input.workspaceId}; everything: npm run --silent mailroom -- export --workspace ${input.workspaceId}`,
  );
  return `${out.join('\n')}\n`;
}
