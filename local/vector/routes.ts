import type { ServiceContext } from "./context";
import { handleFetch, handleInfo, handleListNamespaces, handleQuery, handleRange } from "./handlers-read";
import { ResumableQueries } from "./handlers-resumable";
import { handleDelete, handleDeleteNamespace, handleReset, handleUpdate, handleUpsert } from "./handlers-write";

/** One endpoint: gets the parsed body, the namespace from the path and the query string; returns `result`. */
export type Route = (ctx: ServiceContext, body: unknown, ns: string, query: URLSearchParams) => unknown;

/** The Upstash Vector REST endpoints, keyed by the first path segment. */
export function createRoutes(): Record<string, Route> {
  const resumable = new ResumableQueries();
  return {
    upsert: (ctx, body, ns) => handleUpsert(ctx, body, ns, false),
    "upsert-data": (ctx, body, ns) => handleUpsert(ctx, body, ns, true),
    update: (ctx, body, ns) => handleUpdate(ctx, body, ns),
    query: (ctx, body, ns) => handleQuery(ctx, body, ns, false),
    "query-data": (ctx, body, ns) => handleQuery(ctx, body, ns, true),
    fetch: (ctx, body, ns) => handleFetch(ctx, body, ns),
    delete: (ctx, body, ns) => handleDelete(ctx, body, ns),
    range: (ctx, body, ns) => handleRange(ctx, body, ns),
    reset: (ctx, _body, ns, query) => handleReset(ctx, ns, query.has("all")),
    info: (ctx) => handleInfo(ctx),
    "list-namespaces": (ctx) => handleListNamespaces(ctx),
    "delete-namespace": (ctx, _body, ns) => handleDeleteNamespace(ctx, ns),
    "resumable-query": (ctx, body, ns) => resumable.start(ctx, body, ns, false),
    "resumable-query-data": (ctx, body, ns) => resumable.start(ctx, body, ns, true),
    "resumable-query-next": (ctx, body) => resumable.next(ctx, body),
    "resumable-query-end": (_ctx, body) => resumable.end(body),
  };
}
