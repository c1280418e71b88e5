/**
 * Message-IDs as the email table stores them (`NormalizedMessage.internetMessageId`, see
 * parse-mime.ts): the first `<…>` token of the header, or a bare token wrapped in brackets, case
 * kept. A caller that normalises differently passes its own function to parseBounce.
 */
export type NormalizeMessageId = (headerValue: string) => string | null;

export const bracketedMessageId: NormalizeMessageId = (value) => {
  const m = /<[^<>\s]+>/.exec(value);
  if (m) {
    return m[0];
  }
  const bare = value.trim().replace(/^<|>$/g, '');
  return bare !== '' && !/\s/.test(bare) && bare.includes('@') ? `<${bare}>` : null;
};
