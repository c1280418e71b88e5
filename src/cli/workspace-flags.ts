import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { AUTO_CREATE_POLICIES } from '../crm/enrichment-settings.ts';

/** Flags `workspace:create` and `workspace:update` share. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const domainSchema = z
  .string()
  .transform((d) => domainToASCII(d.trim().toLowerCase().replace(/^@/, '')))
  .refine((d) => d.includes('.'), { message: 'must be a domain such as acme.com' });

export const blockSchema = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .refine((v) => v.includes('.'), { message: 'must be an address or a domain' });

export const policySchema = z.enum(AUTO_CREATE_POLICIES, {
  message: 'must be none, sent or sent_and_received',
});
