import { randomUUID } from "node:crypto";
import type { ServiceContext } from "./context";
import { badRequest, HttpError } from "./http-error";
import { type Hit, type IncludeFlags, materialize, parseQuery, rankAll } from "./search";
import { asObject, asPositiveInt } from "./validate";

interface Session {
  ns: string;
  hits: Hit[];
  position: number;
  flags: IncludeFlags;
  maxIdleMs: number;
  lastUsed: number;
}

const DEFAULT_MAX_IDLE_S = 3600;

/** Open resumable queries of one server: the full ranking is computed at start and paged by `next`. */
export class ResumableQueries {
  private readonly sessions = new Map<string, Session>();

  /** `resumable-query[-data]`: answers `{uuid, scores}` with the first topK results. */
  start(ctx: ServiceContext, body: unknown, ns: string, allowData: boolean): unknown {
    this.expire();
    const req = asObject(body, "resumable query");
    const spec = parseQuery(ctx, req, allowData);
    const maxIdle = req.maxIdle === undefined ? DEFAULT_MAX_IDLE_S : asPositiveInt(req.maxIdle, "maxIdle");
    ctx.stats.queries++;
    const uuid = randomUUID();
    const session: Session = {
      ns,
      hits: rankAll(ctx, ns, spec),
      position: spec.topK,
      flags: { vectors: spec.vectors, metadata: spec.metadata, data: spec.data },
      maxIdleMs: maxIdle * 1000,
      lastUsed: Date.now(),
    };
    this.sessions.set(uuid, session);
    return { uuid, scores: materialize(ctx, ns, session.hits.slice(0, spec.topK), session.flags) };
  }

  /** `resumable-query-next`: the next `additionalK` results. */
  next(ctx: ServiceContext, body: unknown): unknown {
    const req = asObject(body, "resumable query next");
    const session = this.lookup(req.uuid);
    const k = asPositiveInt(req.additionalK, "additionalK");
    ctx.stats.queries++;
    const hits = session.hits.slice(session.position, session.position + k);
    session.position += k;
    session.lastUsed = Date.now();
    return materialize(ctx, session.ns, hits, session.flags);
  }

  /** `resumable-query-end`: forgets the query. */
  end(body: unknown): unknown {
    const req = asObject(body, "resumable query end");
    this.lookup(req.uuid);
    this.sessions.delete(req.uuid as string);
    return "Success";
  }

  private lookup(uuid: unknown): Session {
    this.expire();
    if (typeof uuid !== "string") throw badRequest("uuid must be a string");
    const session = this.sessions.get(uuid);
    if (!session) throw new HttpError(404, `Resumable query ${uuid} does not exist or has expired`);
    return session;
  }

  private expire(): void {
    const now = Date.now();
    for (const [uuid, s] of this.sessions) if (now - s.lastUsed > s.maxIdleMs) this.sessions.delete(uuid);
  }
}
