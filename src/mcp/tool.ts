import type { z } from 'zod';
import type { Services } from '../app/services.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';

/** What a tool runs with: the API key's workspace scope and the process's services. */
export interface ToolContext {
  scope: WorkspaceScope;
  services: Services;
}

/**
 * One MCP tool: its input is a zod object (the same schema the matching API route validates its
 * query or body with, so both take the same parameters), and its result is the API's JSON.
 */
export interface McpTool<I extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  run(ctx: ToolContext, input: z.infer<I>): Promise<unknown>;
}

export function defineTool<I extends z.ZodObject>(tool: McpTool<I>): McpTool {
  return tool;
}
