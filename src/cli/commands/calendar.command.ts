import type { Command } from 'commander';
import { findWorkspace } from '../../db/repositories/workspace.repository.ts';
import { workspaceScope } from '../../db/workspace-scope.ts';
import type { CalendarView } from '../../read-models/calendar.schema.ts';
import { InvalidInputError, NotFoundError } from '../../errors.ts';
import { listCalendar } from '../../services/calendar.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseWindowBound } from '../time-flags.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerCalendar(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption(
      '--from <date>',
      'window start: a date (UTC) or an ISO 8601 date-time with offset',
    )
    .requiredOption(
      '--to <date>',
      'window end: a date (UTC, the whole day included) or an ISO 8601 date-time',
    )
    .option('--person <email>', "only meetings on this person's timeline")
    .option('--include-cancelled', 'also list cancelled meetings')
    .action(
      async (opts: {
        workspace: string;
        from: string;
        to: string;
        person?: string;
        includeCancelled?: boolean;
      }) => {
        const workspaceId = parseFlag('workspace', uuidSchema, opts.workspace);
        const from = parseWindowBound('from', opts.from, 'start');
        const to = parseWindowBound('to', opts.to, 'end');
        if (to <= from) {
          throw new InvalidInputError('--to must be after --from');
        }
        const events = await withContext(async ({ em }) => {
          if (!(await findWorkspace(em, workspaceId))) {
            throw new NotFoundError(`workspace ${workspaceId} not found`);
          }
          return listCalendar(workspaceScope(em, workspaceId), {
            from,
            to,
            includeCancelled: opts.includeCancelled === true,
            ...(opts.person ? { personEmail: opts.person.trim().toLowerCase() } : {}),
          });
        });
        const view: CalendarView = { events };
        printResult(view);
      },
    );
}
