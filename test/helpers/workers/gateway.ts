import { SELF } from "cloudflare:test";
import { inject } from "vitest";

/** The stack globalSetup started (URLs, seeded key). */
export const stack = () => inject("stack");

/**
 * Calls the Worker under test (wrangler.toml, bindings pointing at the offline stack).
 * @example const res = await gateway("/v1/chat/completions", { method: "POST", json: {...}, key: stack().apiKey });
 */
export function gateway(path: string, init: RequestInit & { json?: unknown; key?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return SELF.fetch(`http://gateway.test${path}`, { ...init, headers, body });
}

/** Reads a stand-in's counters. */
export async function standInStats(url: string): Promise<Record<string, number>> {
  return (await fetch(url)).json();
}
