import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startWorkerd } from "../../bench/workerd";

// A global scope that keeps the CPU busy for a while (Date.now() stands still in workerd's global
// scope, so the work is a count, not a time).
const BURN = "let x = 0;\nfor (let i = 0; i < 100_000_000; i++) x = (x + i * 7) % 1_000_003;\nglobalThis.burned = x;\n";
const HANDLER = 'export default { fetch: () => new Response("ok " + (globalThis.burned ?? "-")) };\n';

describe("a runtime process's start-up (bench `startups`)", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeway-startup-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const startOnce = async (main: string) => {
    const w = await startWorkerd({
      name: main,
      dir,
      config: { modules: [main], compatibilityDate: "2026-04-26", compatibilityFlags: [], bindings: {} },
    });
    try {
      return { startup: w.startup, body: await (await fetch(w.url)).text() };
    } finally {
      await w.stop();
    }
  };

  it("is measured once the Worker's global scope has run: a busy global scope shows as CPU before listening", async () => {
    writeFileSync(join(dir, "plain.js"), HANDLER);
    writeFileSync(join(dir, "busy.js"), BURN + HANDLER);
    // the same loop in this process, for scale (the same V8 family; machines differ 2-3x)
    const t0 = process.cpuUsage();
    new Function(BURN)();
    const loopMs = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000;

    const plain = await startOnce("plain.js");
    const busy = await startOnce("busy.js");
    expect(plain.body).toBe("ok -");
    expect(busy.body).toMatch(/^ok \d+$/);
    expect(plain.startup.cpuMs).toBeGreaterThan(0);
    expect(busy.startup.cpuMs - plain.startup.cpuMs).toBeGreaterThan(loopMs * 0.5);
    expect(busy.startup.wallMs - plain.startup.wallMs).toBeGreaterThan(loopMs * 0.5);
  }, 60_000);
});
