import { z } from 'zod';

/**
 * Enrichment rules' knobs. Defaults are product.md's; a workspace's `settings` override them and a
 * mailbox's `settings` override the workspace's (its `auto_create_policy` column wins over both).
 */
export const AUTO_CREATE_POLICIES = ['none', 'sent', 'sent_and_received'] as const;
export type AutoCreatePolicy = (typeof AUTO_CREATE_POLICIES)[number];

export const enrichmentSettingsSchema = z.object({
  autoCreatePolicy: z.enum(AUTO_CREATE_POLICIES),
  /** At most this many participants of one message create records. */
  maxParticipantsCreating: z.number().int().min(0),
  createCompanies: z.boolean(),
  skipBulk: z.boolean(),
  skipAutomated: z.boolean(),
  extraRoleLocalParts: z.array(z.string()),
  allowedRoleLocalParts: z.array(z.string()),
  extraFreemailDomains: z.array(z.string()),
  notFreemailDomains: z.array(z.string()),
});

export type EnrichmentSettings = z.infer<typeof enrichmentSettingsSchema>;

export const DEFAULT_ENRICHMENT_SETTINGS: EnrichmentSettings = {
  autoCreatePolicy: 'sent_and_received',
  maxParticipantsCreating: 50,
  createCompanies: true,
  skipBulk: true,
  skipAutomated: true,
  extraRoleLocalParts: [],
  allowedRoleLocalParts: [],
  extraFreemailDomains: [],
  notFreemailDomains: [],
};

export function resolveEnrichmentSettings(
  workspace: Partial<EnrichmentSettings>,
  mailbox: Partial<EnrichmentSettings>,
  mailboxPolicy: AutoCreatePolicy,
): EnrichmentSettings {
  return {
    ...DEFAULT_ENRICHMENT_SETTINGS,
    ...workspace,
    ...mailbox,
    autoCreatePolicy: mailboxPolicy,
  };
}
