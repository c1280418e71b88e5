import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';

/** Validates a CLI flag value, turning zod's report into one clear line that names the flag. */
export function parseFlag<T>(flag: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? 'invalid value';
    throw new InvalidInputError(`--${flag}: ${message}`);
  }
  return result.data;
}

export const uuidSchema = z.uuid({ message: 'must be an id (uuid) printed by an earlier command' });
