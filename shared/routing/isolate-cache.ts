import { afterResponse } from "../runtime/defer";

export type IsolateCacheOptions = {
  /** After a failed reload, keep serving the old value this long before trying again. @default 1000 */
  retryMs?: number;
  /**
   * Past its TTL, a value is still served (while one caller refreshes it in the background) until
   * it is this old; older, the caller waits for a fresh load. @default 5 × ttlMs
   */
  maxStaleMs?: number;
};

/**
 * A value loaded from the database and kept in isolate memory, so the hot path runs no Postgres
 * statement once warm:
 * - fresh (younger than `ttlMs`): served as is;
 * - stale (up to `maxStaleMs`): served as is, and the first caller to see it reloads it once its
 *   response is out (stale-while-revalidate), so a change still arrives within about `ttlMs`;
 * - older, or never loaded: the caller waits for the load.
 * When a reload fails the old value keeps being served (DESIGN.md: Postgres unreachable → serve
 * with cached config), retried after `retryMs`; with nothing loaded yet the error propagates.
 *
 * Loads are never awaited by another caller: on Workers an I/O object belongs to the request that
 * started it, and a request awaiting another request's fetch can fail or hang when that one ends.
 * @example const registry = isolateCached(1000, () => loadRegistry(db));
 */
export function isolateCached<T>(ttlMs: number, load: () => Promise<T>, opts: IsolateCacheOptions = {}): (now?: number) => Promise<T> {
  const retryMs = opts.retryMs ?? 1000;
  const maxStaleMs = opts.maxStaleMs ?? 5 * ttlMs;
  let value: { data: T; loadedAt: number } | undefined;
  let until = 0;
  let refreshingSince = Number.NEGATIVE_INFINITY;

  const reload = async (now: number): Promise<T> => {
    try {
      const data = await load();
      value = { data, loadedAt: now };
      until = now + ttlMs;
      return data;
    } catch (err) {
      if (!value) throw err;
      until = now + retryMs;
      console.warn(JSON.stringify({ level: "warn", msg: "serving stale config after a failed reload", error: String(err) }));
      return value.data;
    }
  };

  return async (now = Date.now()) => {
    if (value && until > now) return value.data;
    if (value && now - value.loadedAt < maxStaleMs) {
      // One background refresh at a time; a refresh cancelled with its request is retried after ttlMs.
      if (now - refreshingSince >= ttlMs) {
        refreshingSince = now;
        afterResponse(() => reload(now));
      }
      return value.data;
    }
    return reload(now);
  };
}
