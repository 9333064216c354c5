import { expect } from "vitest";
import { createDb, type Db } from "../../../shared/storage/postgres/db";
import { gateway, stack } from "./gateway";

/** The gateway's admin token (the stack's `ADMIN_TOKEN` binding). */
export const adminToken = () => stack().bindings.ADMIN_TOKEN as string;

/**
 * Calls the admin API, with the admin token unless `key` says otherwise (`key: ""` sends none).
 * @example const res = await admin("/admin/tenants", { method: "POST", json: { name: "t" } });
 */
export function admin(path: string, init: { method?: string; json?: unknown; key?: string } = {}): Promise<Response> {
  return gateway(path, { method: init.method ?? "GET", json: init.json, key: init.key ?? adminToken() });
}

/** Reads a JSON body, failing the test with the body when the status is not the expected one. */
export async function expectJson<T = Record<string, unknown>>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export type TenantBody = {
  id: string;
  name: string;
  status: string;
  limits: Record<string, number>;
  budget: { monthlyUsd: number } | null;
};
export type KeyBody = { id: string; tenantId: string; key: string; prefix: string; status: string; expiresAt: string | null };

/** A fresh tenant (tests share the database: never reuse another file's tenants). */
export async function newTenant(body: Record<string, unknown> = {}): Promise<TenantBody> {
  return expectJson<TenantBody>(await admin("/admin/tenants", { method: "POST", json: { name: `t-${nonce()}`, ...body } }), 201);
}

/** A fresh key of the tenant (created with the admin token unless `as` is given). */
export async function newKey(tenantId: string, body: Record<string, unknown> = {}, as?: string): Promise<KeyBody> {
  return expectJson<KeyBody>(await admin(`/admin/tenants/${tenantId}/keys`, { method: "POST", json: body, key: as }), 201);
}

/** A unique marker, to find one's own request in logs shared with concurrent tests. */
export const nonce = () => crypto.randomUUID().replaceAll("-", "").slice(0, 12);

/** `POST /v1/chat/completions` with `mock-small`, the user text carrying `marker`. */
export function chat(key: string, marker = nonce()): Promise<Response> {
  return gateway("/v1/chat/completions", {
    method: "POST",
    json: { model: "mock-small", messages: [{ role: "user", content: `admin test ${marker}` }] },
    key,
  });
}

/**
 * Calls `probe` until it returns true; returns the milliseconds it took. Fails past `deadlineMs`.
 * @example expect(await pollUntil(async () => (await chat(key)).status === 401, 2000)).toBeLessThan(2000);
 */
export async function pollUntil(probe: () => Promise<boolean>, deadlineMs: number, everyMs = 50): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > deadlineMs) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The test database, through the same Neon HTTP stand-in the Worker uses. */
export function testDb(): Db {
  const { DATABASE_URL, NEON_HTTP_ENDPOINT } = stack().bindings;
  return createDb({ DATABASE_URL: DATABASE_URL as string, NEON_HTTP_ENDPOINT });
}

/** The mock upstream's fingerprint of a credential header value (FNV-1a, as `local/mock-upstream/control.ts`). */
export function mockFingerprint(value: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `[redacted:${(h >>> 0).toString(16).padStart(8, "0")}]`;
}

type LoggedRequest = { deployment: string; path: string; headers: Record<string, string>; body: unknown };

/** The mock upstream's logged request whose body contains `marker` (the log is shared by concurrent tests). */
export async function upstreamRequest(marker: string): Promise<LoggedRequest | undefined> {
  const { requests } = (await (await fetch(`${stack().urls.mockControl}/requests?limit=200`)).json()) as { requests: LoggedRequest[] };
  return requests.reverse().find((r) => JSON.stringify(r.body).includes(marker));
}
