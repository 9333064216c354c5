/** A TCP destination on this machine. */
export interface LoopbackTarget {
  readonly host: string;
  readonly port: number;
}

/** True for `localhost`, `127.0.0.0/8` and `::1` (bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost" || bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
  return /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Parses `host:port` (IPv6 as `[::1]:5432`); `null` when malformed. */
export function parseHostPort(address: string): LoopbackTarget | null {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (!match?.[1] || !match[2]) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1].replace(/^\[(.*)\]$/, "$1"), port };
}
