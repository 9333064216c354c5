import pg from "pg";

/** Where and as whom a `/sql` request connects, parsed from `Neon-Connection-String`. */
export interface PoolTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Keeps one small `pg.Pool` per target and tracks each client's transaction status. */
export class PoolRegistry {
  readonly #pools = new Map<string, pg.Pool>();
  readonly #status = new WeakMap<pg.PoolClient, string>();
  readonly #maxFor: (target: PoolTarget) => number;

  /** `maxFor` sizes a new pool (1 for PGlite, whose socket server serialises work). */
  constructor(maxFor: (target: PoolTarget) => number) {
    this.#maxFor = maxFor;
  }

  /** Checks out a client for `target`, creating its pool on first use. */
  async connect(target: PoolTarget): Promise<pg.PoolClient> {
    const key = JSON.stringify([target.host, target.port, target.user, target.password, target.database]);
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = this.#createPool(target);
      this.#pools.set(key, pool);
    }
    return pool.connect();
  }

  /** True when the client's last ReadyForQuery reported an idle session (not inside a transaction). */
  isIdle(client: pg.PoolClient): boolean {
    return (this.#status.get(client) ?? "I") === "I";
  }

  /** Ends every pool. */
  async closeAll(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  }

  #createPool(target: PoolTarget): pg.Pool {
    const max = this.#maxFor(target);
    const pool = new pg.Pool({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      ssl: false,
      max,
      idleTimeoutMillis: max === 1 ? 0 : 10_000,
      application_name: "edgeway-neon-stand-in",
    });
    pool.on("error", () => undefined);
    pool.on("connect", (client) => {
      client.connection.on("readyForQuery", (message: { status?: string }) => {
        this.#status.set(client, message.status ?? "I");
      });
    });
    return pool;
  }
}
