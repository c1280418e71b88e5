import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';

/**
 * Raw MIME → the Graph `message` JSON Outlook would return for it (provider-apis.md §D.2): UTC
 * date-times with `Z`, recipients as `{emailAddress:{name,address}}`, `bodyPreview` of 255 chars,
 * `internetMessageHeaders` kept aside (returned only when selected).
 */
export interface GraphRecipient {
  emailAddress: { name: string; address: string };
}

export interface GraphMessageJson {
  id: string;
  parentFolderId: string;
  internetMessageId: string | null;
  conversationId: string;
  subject: string;
  bodyPreview: string;
  body: { contentType: 'text' | 'html'; content: string };
  from: GraphRecipient | null;
  sender: GraphRecipient | null;
  toRecipients: GraphRecipient[];
  ccRecipients: GraphRecipient[];
  bccRecipients: GraphRecipient[];
  replyTo: GraphRecipient[];
  receivedDateTime: string;
  sentDateTime: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  hasAttachments: boolean;
  isRead: boolean;
  isDraft: boolean;
  importance: 'normal';
  inferenceClassification: 'focused';
  categories: string[];
}

function recipients(field: AddressObject | AddressObject[] | undefined): GraphRecipient[] {
  const out: GraphRecipient[] = [];
  const visit = (entries: EmailAddress[]) => {
    for (const e of entries) {
      if (e.group) {
        visit(e.group);
      } else if (e.address) {
        out.push({ emailAddress: { name: e.name || e.address, address: e.address } });
      }
    }
  };
  for (const obj of field ? (Array.isArray(field) ? field : [field]) : []) {
    visit(obj.value);
  }
  return out;
}

const utc = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export async function mimeToGraphJson(
  raw: Buffer,
  conversationIdFor: (rootMessageId: string) => string,
  options: { isDraft?: boolean; receivedAt?: Date } = {},
): Promise<{
  json: Omit<GraphMessageJson, 'id' | 'parentFolderId'>;
  headers: { name: string; value: string }[];
}> {
  const parsed = await simpleParser(raw, {
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const headers = parsed.headerLines.map(({ line }) => {
    const colon = line.indexOf(':');
    return {
      name: line.slice(0, colon),
      value: line
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    };
  });
  const date = parsed.date ?? new Date();
  const received = options.receivedAt ?? date;
  const refs = Array.isArray(parsed.references)
    ? parsed.references
    : parsed.references
      ? [parsed.references]
      : [];
  const root = refs[0] ?? parsed.inReplyTo ?? parsed.messageId ?? String(received.getTime());
  const text = (parsed.text ?? '').trim();
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  const from = recipients(parsed.from)[0] ?? null;
  return {
    json: {
      internetMessageId: parsed.messageId ?? null,
      conversationId: conversationIdFor(root),
      subject: parsed.subject ?? '',
      bodyPreview: text.replace(/\s+/g, ' ').slice(0, 255),
      body: html ? { contentType: 'html', content: html } : { contentType: 'text', content: text },
      from,
      sender: from,
      toRecipients: recipients(parsed.to),
      ccRecipients: recipients(parsed.cc),
      bccRecipients: recipients(parsed.bcc),
      replyTo: recipients(parsed.replyTo),
      receivedDateTime: utc(received),
      sentDateTime: utc(date),
      createdDateTime: utc(received),
      lastModifiedDateTime: utc(received),
      hasAttachments: parsed.attachments.some((a) => a.contentDisposition !== 'inline'),
      isRead: false,
      isDraft: options.isDraft ?? false,
      importance: 'normal',
      inferenceClassification: 'focused',
      categories: [],
    },
    headers,
  };
}
