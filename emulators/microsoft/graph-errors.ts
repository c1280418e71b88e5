import { randomUUID } from 'node:crypto';

/** Graph's error envelope (provider-apis.md §D.4) and the identity platform's (§D.7). */
export function graphError(code: string, message: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString(),
        'request-id': randomUUID(),
        'client-request-id': randomUUID(),
      },
    },
  };
}

export function aadError(error: string, aadsts: number, description: string): unknown {
  const now = new Date();
  return {
    error,
    error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${now.toISOString()}`,
    error_codes: [aadsts],
    timestamp: now.toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  };
}
