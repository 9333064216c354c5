import type { ServiceContext } from "./context";
import { badRequest } from "./http-error";
import { includeFlags, materialize, parseQuery, present, rankAll } from "./search";
import { asId, asObject, asPositiveInt, type Json } from "./validate";

/**
 * `query` / `query-data`: an object body answers a list of scores; an array body is a batch and answers
 * one list per item (a batch of one answers a flat list, as Upstash does).
 */
export function handleQuery(ctx: ServiceContext, body: unknown, ns: string, allowData: boolean): unknown {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw badRequest("query batch must not be empty");
  const specs = items.map((item) => parseQuery(ctx, item, allowData));
  ctx.stats.queries += specs.length;
  const results = specs.map((spec) => materialize(ctx, ns, rankAll(ctx, ns, spec).slice(0, spec.topK), spec));
  return Array.isArray(body) && body.length > 1 ? results : results[0];
}

/** `fetch`: by `ids` (missing ones answer null, order kept) or by id `prefix`. */
export function handleFetch(ctx: ServiceContext, body: unknown, ns: string): unknown {
  const req: Json = Array.isArray(body) ? { ids: body } : asObject(body, "fetch body");
  const flags = includeFlags(req);
  ctx.stats.fetches++;
  if (Array.isArray(req.ids)) {
    return req.ids.map((raw) => {
      const r = ctx.store.get(ns, asId(raw));
      return r ? present(r, flags) : null;
    });
  }
  if (typeof req.prefix === "string") {
    const prefix = req.prefix;
    return [...(ctx.store.namespace(ns)?.values() ?? [])].filter((r) => r.id.startsWith(prefix)).map((r) => present(r, flags));
  }
  throw badRequest("fetch needs ids or prefix");
}

/** `range`: pages through a namespace in insertion order; `nextCursor` is "" after the last page. */
export function handleRange(ctx: ServiceContext, body: unknown, ns: string): unknown {
  const req = asObject(body, "range body");
  const limit = asPositiveInt(req.limit, "limit");
  const cursorText = req.cursor === undefined || req.cursor === "" ? "0" : String(req.cursor);
  if (!/^\d+$/.test(cursorText)) throw badRequest(`invalid cursor: ${cursorText}`);
  const cursor = Number(cursorText);
  const prefix = typeof req.prefix === "string" ? req.prefix : "";
  const all = [...(ctx.store.namespace(ns)?.values() ?? [])].filter((r) => r.id.startsWith(prefix));
  const page = all.slice(cursor, cursor + limit);
  const flags = includeFlags(req);
  ctx.stats.fetches++;
  return {
    nextCursor: cursor + limit < all.length ? String(cursor + limit) : "",
    vectors: page.map((r) => present(r, flags)),
  };
}

/** `info`: counts, approximate size, dimension, similarity and the local embedder. */
export function handleInfo(ctx: ServiceContext): unknown {
  const namespaces: Record<string, { vectorCount: number; pendingVectorCount: number }> = {};
  let vectorCount = 0;
  let indexSize = 0;
  for (const ns of ctx.store.names()) {
    const space = ctx.store.namespace(ns);
    const count = space?.size ?? 0;
    namespaces[ns] = { vectorCount: count, pendingVectorCount: 0 };
    vectorCount += count;
    for (const r of space?.values() ?? []) {
      indexSize += r.vector.length * 4 + r.id.length + (r.data?.length ?? 0);
      if (r.metadata) indexSize += JSON.stringify(r.metadata).length;
    }
  }
  const denseIndex: Json = { dimension: ctx.dimension, similarityFunction: ctx.similarity };
  if (ctx.embeddingModel) denseIndex.embeddingModel = ctx.embeddingModel;
  return {
    vectorCount,
    pendingVectorCount: 0,
    indexSize,
    dimension: ctx.dimension,
    similarityFunction: ctx.similarity,
    indexType: "DENSE",
    denseIndex,
    namespaces,
  };
}

/** `list-namespaces`: every namespace, the default `""` first. */
export function handleListNamespaces(ctx: ServiceContext): unknown {
  return ctx.store.names();
}
