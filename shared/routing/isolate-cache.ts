/**
 * A value loaded from the database and kept in isolate memory for `ttlMs`. When a reload fails and
 * a value was loaded before, the stale value is served and the load retried after `retryMs`
 * (DESIGN.md: Postgres unreachable → serve with cached config); without one, the error propagates.
 *
 * Loads are never shared between requests: on Workers an I/O object belongs to the request that
 * started it, and a request awaiting another request's fetch can fail or hang when that request
 * ends first. Concurrent requests on a cold or expired entry each load; only the data is shared.
 * @example const registry = isolateCached(5000, () => listModels(db));
 */
export function isolateCached<T>(ttlMs: number, load: () => Promise<T>, retryMs = 1000): (now?: number) => Promise<T> {
  let value: { data: T } | undefined;
  let until = 0;
  return async (now = Date.now()) => {
    if (value && until > now) return value.data;
    try {
      const data = await load();
      value = { data };
      until = now + ttlMs;
      return data;
    } catch (err) {
      if (!value) throw err;
      until = now + retryMs;
      console.warn(JSON.stringify({ level: "warn", msg: "serving stale config after a failed reload", error: String(err) }));
      return value.data;
    }
  };
}
