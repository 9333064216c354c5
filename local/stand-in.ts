/** What every offline stand-in (local/*) hands back once it listens. */
export interface StandIn {
  /** Short name used in logs and in `.edgeway/dev.json` (`redisRest`, `vectorRest`, `neon`, `mockUpstream`). */
  readonly name: string;
  /** Base URL, always on loopback: `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** `GET` returns the counters as JSON; `DELETE` resets them. Served by the stand-in itself at `/__stats`. */
  readonly statsUrl: string;
  /** The same counters, read in-process. */
  stats(): Record<string, number>;
  resetStats(): void;
  /** Stops listening, closes upstream connections; resolves when everything is closed. */
  close(): Promise<void>;
}
