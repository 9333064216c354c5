import type { Env } from "../config/env";

/** How to reach a provider: its default base URL and where its credential comes from. */
export type Connection = {
  /** Default base URL; `<ID>_BASE_URL` in the env overrides it. None = must be configured. */
  baseUrl?: string;
  /** Env var holding the gateway's key for this provider. */
  apiKeyEnv?: string;
  /** Key used when the env has none (local servers that want any non-empty bearer). */
  defaultKey?: string;
  /** The provider works without a key (local servers). */
  keyOptional?: boolean;
};

/** The gateway's credentials for a provider, or undefined when the env does not configure it. */
export function connect(id: string, connection: Connection, env: Env): { baseUrl: string; apiKey: string } | undefined {
  const read = (name: string | undefined) => {
    const value = name ? (env as Record<string, unknown>)[name] : undefined;
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const baseUrl = (read(`${id.toUpperCase().replaceAll("-", "_")}_BASE_URL`) ?? connection.baseUrl)?.replace(/\/+$/, "");
  const apiKey = read(connection.apiKeyEnv) ?? connection.defaultKey ?? (connection.keyOptional ? "" : undefined);
  return baseUrl !== undefined && apiKey !== undefined ? { baseUrl, apiKey } : undefined;
}
