import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { graphError } from './graph-errors.ts';
import { selectFields, selectList } from './graph-select.ts';
import type { GraphMailbox, GraphStore } from './graph-store.ts';

/**
 * `GET /me/messages` (every folder) and `GET /me/mailFolders/{id}/messages`, only as a lookup by
 * `$filter=internetMessageId eq '<…>'`: how a sender finds the Sent Items copy of a draft it sent
 * (provider-apis.md §H.2). Any other `$filter`, or none, is refused with 400 rather than answered
 * with a list the emulator does not page like Graph.
 */
type Req = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | undefined>;
}>;
type Guard = (req: Req, reply: FastifyReply, route: string) => Promise<GraphMailbox | null>;

/** The id an `internetMessageId eq '…'` filter asks for (OData doubles a quote inside). */
export function internetMessageIdFilter(filter: string | undefined): string | null {
  const m = /^\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter ?? '');
  return m ? (m[1] ?? '').replace(/''/g, "'") : null;
}

export function registerGraphMessageListRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; store: GraphStore; origin: () => string },
): void {
  async function list(req: Req, reply: FastifyReply, folder: string | null) {
    const mb = await deps.guard(req, reply, folder === null ? 'messages.list' : 'folder.messages');
    if (!mb) {
      return reply;
    }
    const wanted = internetMessageIdFilter(req.query['$filter']);
    if (wanted === null) {
      return reply
        .code(400)
        .send(
          graphError(
            'BadRequest',
            "Invalid filter clause: the emulator lists messages only by $filter=internetMessageId eq '<id>'.",
          ),
        );
    }
    const target = folder === null ? null : deps.store.folder(mb, folder);
    if (folder !== null && !target) {
      return reply
        .code(404)
        .send(graphError('ErrorItemNotFound', 'The specified folder was not found.'));
    }
    const select = selectList(req.query['$select']);
    const value = [...mb.messages.values()]
      .filter((m) => m.json.internetMessageId === wanted && (!target || m.folderId === target.id))
      .map((m) => selectFields(m, select));
    return {
      '@odata.context': `${deps.origin()}/v1.0/$metadata#users('${mb.email}')/messages`,
      value,
    };
  }

  app.get('/v1.0/me/messages', (req: Req, reply) => list(req, reply, null));
  app.get('/v1.0/me/mailFolders/:folder/messages', (req: Req, reply) =>
    list(req, reply, req.params['folder'] ?? ''),
  );
}
