/** What globalSetup hands every test (Node and workerd) through `inject("stack")`. */
export type StackInfo = {
  runId: string;
  /** Worker bindings pointing at the stand-ins. */
  bindings: Record<string, string>;
  apiKey: string;
  tenantId: string;
  keyId: string;
  redisUrl: string;
  databaseUrl: string;
  postgresKind: "postgres" | "pglite";
  urls: { redisRest: string; neonSql: string; neonWsProxy: string; vectorRest: string; mockUpstream: string; mockControl: string };
  stats: { redisRest: string; neon: string; vectorRest: string; mockUpstream: string };
};

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}
