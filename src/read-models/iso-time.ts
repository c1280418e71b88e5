import { z } from 'zod';

/** Instants in read models: ISO 8601 in UTC with milliseconds, as product.md promises. */
export const isoInstant = z.iso.datetime();

/** All-day dates (`YYYY-MM-DD`), which have no time zone. */
export const isoDate = z.iso.date();
