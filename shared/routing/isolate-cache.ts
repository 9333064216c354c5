/**
 * A value loaded from the database and kept in isolate memory for `ttlMs`, shared by concurrent
 * callers while it loads. When a reload fails and a value was loaded before, the stale value is
 * served and the load retried after `retryMs` (DESIGN.md: Postgres unreachable → serve with cached
 * config); without one, the error propagates.
 * @example const registry = isolateCached(5000, () => listModels(db));
 */
export function isolateCached<T>(ttlMs: number, load: () => Promise<T>, retryMs = 1000): (now?: number) => Promise<T> {
  let value: { data: T } | undefined;
  let until = 0;
  let loading: Promise<T> | undefined;
  return async (now = Date.now()) => {
    if (value && until > now) return value.data;
    loading ??= load()
      .then((data) => {
        value = { data };
        until = now + ttlMs;
        return data;
      })
      .catch((err) => {
        if (!value) throw err;
        until = now + retryMs;
        console.warn(JSON.stringify({ level: "warn", msg: "serving stale config after a failed reload", error: String(err) }));
        return value.data;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
}
