import { EMBEDDER_DIMENSION, EMBEDDER_NAME, embed } from "./embedder";
import { badRequest } from "./http-error";
import type { SimilarityFunction } from "./similarity";
import type { VectorStore } from "./store";

/**
 * Counters served at `/__stats`. `requests` excludes `/__stats`; `queries` counts each query (every item
 * of a batch, each resumable start/next); `upserts` counts vectors written by upsert/upsert-data;
 * `fetches` counts fetch and range requests; `deletes` counts vectors removed by delete; `embeddings`
 * counts texts embedded; `errors` counts non-2xx answers.
 */
export interface VectorStats {
  requests: number;
  queries: number;
  upserts: number;
  fetches: number;
  deletes: number;
  embeddings: number;
  errors: number;
}

/** Zeroed counters. */
export function emptyStats(): VectorStats {
  return { requests: 0, queries: 0, upserts: 0, fetches: 0, deletes: 0, embeddings: 0, errors: 0 };
}

/** State shared by the endpoint handlers of one server. */
export interface ServiceContext {
  readonly store: VectorStore;
  readonly dimension: number;
  readonly similarity: SimilarityFunction;
  /** The local embedder's name when its dimension matches the index, else undefined (no *-data endpoints). */
  readonly embeddingModel: string | undefined;
  readonly stats: VectorStats;
}

/** The embedder name to declare for an index of this dimension. */
export function embeddingModelFor(dimension: number): string | undefined {
  return dimension === EMBEDDER_DIMENSION ? EMBEDDER_NAME : undefined;
}

/** Embeds request `data` with the local embedder, counting it; 400 when impossible. */
export function embedData(ctx: ServiceContext, data: unknown): number[] {
  if (!ctx.embeddingModel) {
    throw badRequest(
      `Embedding data is not supported: the index has dimension ${ctx.dimension}, the local embedder ${EMBEDDER_NAME} produces ${EMBEDDER_DIMENSION}`,
    );
  }
  if (typeof data !== "string" || data.trim() === "") throw badRequest("data must be a non-empty string");
  ctx.stats.embeddings++;
  return embed(data, ctx.dimension);
}
