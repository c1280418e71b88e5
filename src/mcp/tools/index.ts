import type { McpTool } from '../tool.ts';
import { crmTools } from './crm.tools.ts';
import { emailTools } from './email.tools.ts';
import { mailboxTools } from './mailbox.tools.ts';

/** Every tool the MCP server offers, in the order `tools/list` shows them. */
export const MCP_TOOLS: readonly McpTool[] = [...emailTools, ...crmTools, ...mailboxTools];
