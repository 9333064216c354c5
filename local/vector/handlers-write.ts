import { embedData, type ServiceContext } from "./context";
import { matchesFilter } from "./filter";
import { badRequest, HttpError } from "./http-error";
import { compileFilter } from "./search";
import type { VectorRecord } from "./store";
import { asData, asId, asMetadata, asObject, asVector, isObject, type Json, rejectSparse } from "./validate";

/** `upsert` (vectors, `data` kept alongside) and `upsert-data` (`data` embedded); one object or an array. */
export function handleUpsert(ctx: ServiceContext, body: unknown, ns: string, fromData: boolean): unknown {
  const items = Array.isArray(body) ? body : [body];
  const records = items.map((raw): VectorRecord => {
    const item = asObject(raw, "upsert item");
    rejectSparse(item);
    const data = asData(item.data);
    let vector: number[];
    if (fromData) {
      if (data === undefined) throw badRequest("data is required for upsert-data");
      vector = embedData(ctx, data);
    } else {
      if (item.vector === undefined) throw badRequest("vector is required (use /upsert-data to upsert text)");
      vector = asVector(item.vector, ctx.dimension);
    }
    const record: VectorRecord = { id: asId(item.id), vector };
    const metadata = asMetadata(item.metadata);
    if (metadata !== undefined) record.metadata = metadata;
    if (data !== undefined) record.data = data;
    return record;
  });
  ctx.store.put(ns, records);
  ctx.stats.upserts += records.length;
  return "Success";
}

/** `update`: any of vector / data (re-embedded) / metadata, `metadataUpdateMode` OVERWRITE (default) or PATCH (RFC 7396). */
export function handleUpdate(ctx: ServiceContext, body: unknown, ns: string): unknown {
  const req = asObject(body, "update body");
  rejectSparse(req);
  const id = asId(req.id);
  const mode = req.metadataUpdateMode === undefined ? "OVERWRITE" : String(req.metadataUpdateMode).toUpperCase();
  if (mode !== "OVERWRITE" && mode !== "PATCH") throw badRequest("metadataUpdateMode must be OVERWRITE or PATCH");
  if (req.vector === undefined && req.data === undefined && req.metadata === undefined) {
    throw badRequest("update needs vector, data or metadata");
  }
  const vector = req.vector === undefined ? undefined : asVector(req.vector, ctx.dimension);
  const data = asData(req.data);
  const metadata = req.metadata === undefined ? undefined : asMetadata(req.metadata);
  const current = ctx.store.get(ns, id);
  if (!current) return { updated: 0 };
  const next: VectorRecord = { ...current };
  if (vector) next.vector = vector;
  if (data !== undefined) {
    next.data = data;
    next.vector = embedData(ctx, data);
  }
  if (req.metadata !== undefined) {
    const merged = mode === "PATCH" ? mergePatch(current.metadata, metadata ?? null) : metadata;
    if (isObject(merged)) next.metadata = merged;
    else delete next.metadata;
  }
  ctx.store.put(ns, [next]);
  return { updated: 1 };
}

/** `delete`: an id, an array of ids, `{ids}`, `{prefix}` or `{filter}`; answers `{deleted}`. */
export function handleDelete(ctx: ServiceContext, body: unknown, ns: string): unknown {
  const space = ctx.store.namespace(ns);
  let ids: string[];
  if (Array.isArray(body)) ids = body.map(asId);
  else if (typeof body === "string" || typeof body === "number") ids = [asId(body)];
  else {
    const req = asObject(body, "delete body");
    if (Array.isArray(req.ids)) ids = req.ids.map(asId);
    else if (typeof req.prefix === "string") {
      const prefix = req.prefix;
      ids = [...(space?.keys() ?? [])].filter((id) => id.startsWith(prefix));
    } else if (typeof req.filter === "string") {
      const filter = compileFilter(req.filter);
      if (!filter) throw badRequest("filter must not be empty");
      ids = [...(space?.values() ?? [])].filter((r) => matchesFilter(filter, r.metadata ?? {})).map((r) => r.id);
    } else throw badRequest("delete needs ids, prefix or filter");
  }
  const deleted = ctx.store.remove(ns, ids);
  ctx.stats.deletes += deleted;
  return { deleted };
}

/** `reset` empties one namespace; `reset?all` drops every namespace. */
export function handleReset(ctx: ServiceContext, ns: string, all: boolean): unknown {
  if (all) ctx.store.clearAll();
  else ctx.store.clear(ns);
  return "Success";
}

/** `delete-namespace/<ns>`; the default namespace cannot be deleted. */
export function handleDeleteNamespace(ctx: ServiceContext, ns: string): unknown {
  if (ns === "") throw badRequest("The default namespace cannot be deleted");
  if (!ctx.store.dropNamespace(ns)) throw new HttpError(404, `Namespace ${ns} for the index does not exist`);
  return "Success";
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
