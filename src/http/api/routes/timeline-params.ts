import { z } from 'zod';
import { cursorParam, limitParam } from '../pagination.ts';

/** A timeline page's query, for people and companies alike. */
export const timelineQuery = z.object({ limit: limitParam, cursor: cursorParam });

/** A timeline's sort key: the last item's instant (to the microsecond) and id. */
export const timelineCursor = z.tuple([z.iso.datetime(), z.uuid()]);
