import { embedData, type ServiceContext } from "./context";
import { FilterError, type FilterNode, matchesFilter, parseFilter } from "./filter";
import { badRequest } from "./http-error";
import { similarityScore } from "./similarity";
import type { VectorRecord } from "./store";
import { asFilter, asObject, asPositiveInt, asVector, type Json, rejectSparse } from "./validate";

/** Which optional fields an answer carries. */
export interface IncludeFlags {
  vectors: boolean;
  metadata: boolean;
  data: boolean;
}

/** A validated query: vector, topK, compiled filter and include flags. */
export interface QuerySpec extends IncludeFlags {
  vector: number[];
  topK: number;
  filter: FilterNode | null;
}

/** A scored id, before materialising. */
export interface Hit {
  id: string;
  score: number;
}

/** Reads includeVectors / includeMetadata / includeData. */
export function includeFlags(body: Json): IncludeFlags {
  return { vectors: body.includeVectors === true, metadata: body.includeMetadata === true, data: body.includeData === true };
}

/** Shapes a record as Upstash answers it: `id`, then `vector`, `metadata`, `data` when asked for and present. */
export function present(r: VectorRecord, flags: IncludeFlags, score?: number): Json {
  const out: Json = { id: r.id };
  if (score !== undefined) out.score = score;
  if (flags.vectors) out.vector = r.vector;
  if (flags.metadata && r.metadata !== undefined) out.metadata = r.metadata;
  if (flags.data && r.data !== undefined) out.data = r.data;
  return out;
}

/** Compiles a filter string; null for none; FilterError becomes 400. */
export function compileFilter(raw: unknown): FilterNode | null {
  const src = asFilter(raw);
  if (src === "") return null;
  try {
    return parseFilter(src);
  } catch (err) {
    if (err instanceof FilterError) throw badRequest(err.message);
    throw err;
  }
}

/** Validates one query item; `data` is embedded only when `allowData` (the *-data endpoints). */
export function parseQuery(ctx: ServiceContext, item: unknown, allowData: boolean): QuerySpec {
  const body = asObject(item, "query");
  rejectSparse(body);
  let vector: number[];
  if (body.vector !== undefined) vector = asVector(body.vector, ctx.dimension);
  else if (allowData && body.data !== undefined) vector = embedData(ctx, body.data);
  else throw badRequest(allowData ? "data or vector is required" : "vector is required (use /query-data to query with text)");
  return { vector, topK: asPositiveInt(body.topK, "topK", 10), filter: compileFilter(body.filter), ...includeFlags(body) };
}

/** Every vector of a namespace that passes the filter, best score first (ties keep insertion order). */
export function rankAll(ctx: ServiceContext, ns: string, spec: QuerySpec): Hit[] {
  const hits: Hit[] = [];
  for (const r of ctx.store.namespace(ns)?.values() ?? []) {
    if (spec.filter && !matchesFilter(spec.filter, r.metadata ?? {})) continue;
    hits.push({ id: r.id, score: similarityScore(ctx.similarity, spec.vector, r.vector) });
  }
  return hits.sort((a, b) => b.score - a.score);
}

/** Turns hits into answer objects from the current records, skipping ids deleted meanwhile. */
export function materialize(ctx: ServiceContext, ns: string, hits: Hit[], flags: IncludeFlags): Json[] {
  const out: Json[] = [];
  for (const h of hits) {
    const r = ctx.store.get(ns, h.id);
    if (r) out.push(present(r, flags, h.score));
  }
  return out;
}
