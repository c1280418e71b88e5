import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { z } from 'zod';
import { MailroomError } from '../errors.ts';
import type { ToolContext } from './tool.ts';
import { MCP_TOOLS } from './tools/index.ts';

/**
 * The Model Context Protocol server over the service layer: one tool per use case, each calling
 * the same service function as its API route, with the API key's workspace scope. A tool's result
 * is the API's JSON (as text, and as structured content); a domain error (not found, invalid
 * input) is a tool error whose text says `CODE: message`, so the agent can correct itself.
 */
export function createMcpServer(ctx: ToolContext): McpServer {
  const server = new McpServer({ name: 'mailroom', version: '1.0.0' });
  for (const tool of MCP_TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input },
      // The SDK has parsed the arguments with `tool.input` already (a bad call never gets here);
      // parsing again would see its output (dates, defaults), not the client's input.
      async (args: unknown) => {
        try {
          const result = await tool.run(ctx, args as z.infer<typeof tool.input>);
          return {
            content: [{ type: 'text' as const, text: JSON.stringify(result) }],
            structuredContent: result as Record<string, unknown>,
          };
        } catch (err) {
          if (err instanceof MailroomError) {
            return {
              isError: true,
              content: [{ type: 'text' as const, text: `${err.code}: ${err.message}` }],
            };
          }
          throw err;
        }
      },
    );
  }
  return server;
}
