/**
 * `npm run mcp`: the MCP server on stdio for an agent client (Claude Desktop, an IDE, the SDK's
 * client), acting with the API key in `MAILROOM_API_KEY`: the tools see that key's workspace only.
 * stdout is the protocol; logs go to stderr. Start-up errors are the CLI's one line.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { initServices } from './app/services.ts';
import { loadConfig } from './config.ts';
import { workspaceScope } from './db/workspace-scope.ts';
import { exitWithErrorLine } from './error-line.ts';
import { MailroomError } from './errors.ts';
import { createMcpServer } from './mcp/mcp-server.ts';
import { onShutdown } from './shutdown.ts';
import { authenticateApiKey } from './workspaces/api-keys.ts';

const config = await loadConfig().catch(exitWithErrorLine);
const services = await initServices(config, { name: 'mailroom-mcp' }).catch(exitWithErrorLine);
try {
  const key = config.http.mcpApiKey;
  if (key === undefined) {
    throw new MailroomError(
      'UNAUTHENTICATED',
      'MAILROOM_API_KEY is not set: create a key with apikey:create',
    );
  }
  const auth = await authenticateApiKey(services.orm.em.fork(), key);
  if (auth === null) {
    throw new MailroomError(
      'UNAUTHENTICATED',
      'MAILROOM_API_KEY is not a valid API key (unknown or revoked)',
    );
  }
  const server = createMcpServer({
    scope: workspaceScope(services.orm.em.fork(), auth.workspaceId),
    services,
  });
  onShutdown(
    services.log,
    async () => {
      await server.close();
      await services.close();
    },
    config.shutdownGraceMs,
  );
  await server.connect(new StdioServerTransport());
} catch (err) {
  await services.close();
  exitWithErrorLine(err);
}
