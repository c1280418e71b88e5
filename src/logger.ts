import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs go to stderr: stdout belongs to the CLI's one JSON document. Anything that could
 * carry a secret is redacted by path, so a careless `log.info({ mailbox })` cannot leak a token.
 */
export function createLogger(level: string, name = 'mailroom'): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          '*.credentials',
          '*.refreshToken',
          '*.accessToken',
          '*.refresh_token',
          '*.access_token',
          '*.password',
          '*.secret',
          '*.apiKey',
          '*.mcpApiKey',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
