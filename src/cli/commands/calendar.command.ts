import type { Command } from 'commander';
import { z } from 'zod';
import { calendarRange } from '../../db/read-models/calendar-range.ts';
import { findWorkspace } from '../../db/repositories/workspace.repository.ts';
import type { CalendarView } from '../../read-models/calendar.schema.ts';
import { InvalidInputError, NotFoundError } from '../../errors.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

export function registerCalendar(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--from <iso>', 'window start (ISO 8601 with offset)')
    .requiredOption('--to <iso>', 'window end (ISO 8601 with offset)')
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
        const from = new Date(parseFlag('from', instant, opts.from));
        const to = new Date(parseFlag('to', instant, opts.to));
        if (to <= from) {
          throw new InvalidInputError('--to must be after --from');
        }
        const events = await withContext(async ({ em }) => {
          if (!(await findWorkspace(em, workspaceId))) {
            throw new NotFoundError(`workspace ${workspaceId} not found`);
          }
          return calendarRange(em, {
            workspaceId,
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
