import { startVectorRest } from "./server";
import type { SimilarityFunction } from "./similarity";

const env = process.env;
const standIn = await startVectorRest({
  token: env.VECTOR_TOKEN ?? "local-vector-token",
  dataDir: env.VECTOR_DATA_DIR ?? ".edgeway/vector",
  port: Number(env.VECTOR_PORT ?? 0),
  dimension: env.VECTOR_DIMENSION ? Number(env.VECTOR_DIMENSION) : undefined,
  similarity: (env.VECTOR_SIMILARITY as SimilarityFunction | undefined) ?? "COSINE",
});
console.log(`UPSTASH_VECTOR_REST_URL=${standIn.url}`);
console.log(`UPSTASH_VECTOR_REST_TOKEN=${env.VECTOR_TOKEN ?? "local-vector-token"}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void standIn.close().then(() => process.exit(0));
  });
}
