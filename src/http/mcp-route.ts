import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.ts';
import { workspaceScope } from '../db/workspace-scope.ts';
import { createMcpServer } from '../mcp/mcp-server.ts';
import { authenticateApiKey } from '../workspaces/api-keys.ts';
import { bearerKey } from './api/auth.ts';
import { registerKeyRateLimit } from './api/key-rate-limit.ts';
import { errorBody } from './error-handler.ts';

/**
 * MCP over streamable HTTP at `/mcp`, with the same bearer key as the API. Stateless: each POST
 * gets a fresh server and transport bound to the key's workspace, answered as JSON (no session, no
 * server-initiated stream, so GET and DELETE are 405), which lets any API process answer any call.
 * Calls count against the key's rate limit, as API requests do. Register it in a scope of its own
 * (its hooks apply to everything registered beside it).
 */
declare module 'fastify' {
  interface FastifyRequest {
    mcpAuth: { keyId: string; workspaceId: string } | null;
  }
}

export async function registerMcpRoute(app: FastifyInstance, services: Services): Promise<void> {
  app.decorateRequest('mcpAuth', null);
  // The key is checked before the rate limit, which counts per key (tools send mail too).
  app.addHook('onRequest', async (req) => {
    const key = bearerKey(req.headers.authorization);
    req.mcpAuth = key === null ? null : await authenticateApiKey(services.orm.em.fork(), key);
  });
  await registerKeyRateLimit(app, services, (req) => req.mcpAuth?.keyId ?? null);
  app.post('/mcp', async (req, reply) => {
    const auth = req.mcpAuth;
    if (auth === null) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(
          errorBody('UNAUTHENTICATED', 'a valid API key is required: Authorization: Bearer <key>'),
        );
    }
    const server = createMcpServer({
      scope: workspaceScope(services.orm.em.fork(), auth.workspaceId),
      services,
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    reply.hijack();
    await transport.handleRequest(req.raw, reply.raw, req.body);
  });
  const notAllowed = (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send(errorBody('METHOD_NOT_ALLOWED', 'this MCP endpoint is stateless: POST only'));
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
}
