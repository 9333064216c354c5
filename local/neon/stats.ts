/** Counters reported by the Neon stand-in at `/__stats`. */
export interface NeonCounters {
  /** HTTP requests of any kind (including WebSocket upgrades), except `/__stats` itself. */
  requests: number;
  /** Statements sent to Postgres over `/sql`; each statement of a batch counts. */
  httpQueries: number;
  /** `/sql` requests carrying `{queries: [...]}`. */
  httpBatches: number;
  /** WebSocket connections accepted at `/v2`. */
  wsConnections: number;
  /** Simple-query ('Q') and Execute ('E') messages sent by WebSocket clients. */
  wsStatements: number;
  /** `/sql` responses other than 200, refused or failed WebSocket connections. */
  errors: number;
}

/** Mutable counter set with a snapshot that adds `statements` (httpQueries + wsStatements). */
export class NeonStats {
  counters: NeonCounters = NeonStats.#zero();

  /** The counters plus `statements`. */
  snapshot(): Record<string, number> {
    const c = this.counters;
    return { ...c, statements: c.httpQueries + c.wsStatements };
  }

  reset(): void {
    this.counters = NeonStats.#zero();
  }

  static #zero(): NeonCounters {
    return { requests: 0, httpQueries: 0, httpBatches: 0, wsConnections: 0, wsStatements: 0, errors: 0 };
  }
}
