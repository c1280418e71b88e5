import { z } from 'zod';
import { exportEmailSchema } from './export.schema.ts';

/**
 * Emails as the API (and the MCP tools and views after it) show them: export's email fields plus
 * what a list needs, and for one email its bodies and attachments.
 */
export const emailListItemSchema = exportEmailSchema.extend({
  mailboxId: z.uuid(),
  snippet: z.string(),
  /** True when the message has an attachment that is not an inline (`cid:`) image. */
  hasAttachments: z.boolean(),
});

export const emailAttachmentSchema = z.object({
  filename: z.string().nullable(),
  contentType: z.string(),
  size: z.number().int(),
  /** An inline part (an image the HTML shows with `cid:`), not an attachment to save. */
  inline: z.boolean(),
});

export const emailDetailSchema = emailListItemSchema.extend({
  textBody: z.string(),
  /** True when the stored text body was cut (MAILROOM_MAX_TEXT_BODY_CHARS). */
  textBodyTruncated: z.boolean(),
  /**
   * The HTML part, sanitised: no script, no event handler, no form or frame, links open in a new
   * tab; remote images have no `src` (the original is in `data-blocked-src`). Null when the message
   * has no HTML part (or it was received before HTML bodies were stored).
   */
  html: z.string().nullable(),
  htmlTruncated: z.boolean(),
  /** The content ids of the parts the HTML shows with `cid:` images. */
  cidReferences: z.array(z.string()),
  /** How many remote images the sanitised HTML does not load. */
  remoteImagesBlocked: z.number().int(),
  attachments: z.array(emailAttachmentSchema),
});

export type EmailListItem = z.infer<typeof emailListItemSchema>;
export type EmailAttachment = z.infer<typeof emailAttachmentSchema>;
export type EmailDetail = z.infer<typeof emailDetailSchema>;
