/**
 * Counters served at `/__stats`. `requests` counts HTTP requests except `/__stats`; `commands`
 * counts commands sent to Redis (a pipeline of 5 counts 5, as Upstash bills; MULTI/EXEC are not
 * counted); `errors` counts error replies handed back, inline pipeline errors included, 401s not.
 */
export interface RedisRestStats {
  requests: number;
  commands: number;
  pipelines: number;
  multiExec: number;
  errors: number;
  unauthorized: number;
}

/** All counters at zero. */
export function emptyStats(): RedisRestStats {
  return { requests: 0, commands: 0, pipelines: 0, multiExec: 0, errors: 0, unauthorized: 0 };
}
