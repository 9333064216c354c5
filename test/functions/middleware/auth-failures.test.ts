import { describe, expect, it } from "vitest";
import { inOneMinute } from "../../helpers/minute";
import { admin, adminToken, newKey, newTenant } from "../../helpers/workers/admin";
import { gateway } from "../../helpers/workers/gateway";

const randomIp = () => `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
const wrongKey = () => `ew_test_${"x".repeat(24)}${Math.random().toString(36).slice(2, 10).padEnd(8, "y")}`;
const call = (key: string, ip?: string) =>
  gateway("/v1/chat/completions", {
    method: "POST",
    json: { model: "mock-small", messages: [{ role: "user", content: "hi" }] },
    key,
    headers: ip ? { "cf-connecting-ip": ip } : {},
  });

describe("failed authentication throttle", () => {
  it("answers 401 for 20 wrong keys a minute from one address, then 429, then refuses even a right key from it", async () => {
    const ip = randomIp();
    const tenant = await newTenant();
    const good = await newKey(tenant.id);
    const statuses: number[] = [];
    await inOneMinute(10_000); // the sliding window lets a sequence across a minute boundary run over
    for (let i = 0; i < 21; i++) statuses.push((await call(wrongKey(), ip)).status);
    expect(statuses).toEqual([...Array(20).fill(401), 429]);
    const blocked = await call(good.key, ip);
    expect(blocked.status).toBe(403);
    expect((await call(good.key, randomIp())).status).toBe(200);
    const adminFromThere = await gateway("/admin/tenants", { key: adminToken(), headers: { "cf-connecting-ip": ip } });
    expect(adminFromThere.status).toBe(403);
    expect((await admin(`/admin/tenants/${tenant.id}`)).status).toBe(200);
  }, 20_000); // inOneMinute may wait up to 10 s first

  it("throttles failed admin tokens the same way", async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    await inOneMinute(10_000);
    for (let i = 0; i < 21; i++)
      statuses.push((await gateway("/admin/tenants", { key: `not-the-token-${i}`, headers: { "cf-connecting-ip": ip } })).status);
    expect(statuses).toEqual([...Array(20).fill(401), 429]);
    expect((await gateway("/admin/tenants", { key: adminToken(), headers: { "cf-connecting-ip": ip } })).status).toBe(403);
  }, 20_000);

  it("never throttles on a missing address (local callers)", async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 25; i++) statuses.add((await call(wrongKey())).status);
    expect([...statuses]).toEqual([401]);
  });
});
