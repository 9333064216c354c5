import { describe, expect, it } from "vitest";
import { openEntry, sealEntry } from "../../../shared/cache/codec";
import { type CacheEntry, entryFromCompletion } from "../../../shared/cache/entry";
import { seal } from "../../../shared/crypto/tenant-cipher";

const SECRET = "s".repeat(40);
const entry: CacheEntry = entryFromCompletion({
  id: "x",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "The launch code is 0000." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
});

describe("sealEntry / openEntry", () => {
  it("round-trips for the same tenant and never shows the plaintext", async () => {
    const sealed = await sealEntry(SECRET, "tenant-a", entry);
    expect(sealed).not.toContain("launch");
    expect(atob(sealed)).not.toContain("launch");
    expect(await openEntry(SECRET, "tenant-a", sealed)).toEqual(entry);
  });

  it("uses a fresh IV each time", async () => {
    expect(await sealEntry(SECRET, "tenant-a", entry)).not.toBe(await sealEntry(SECRET, "tenant-a", entry));
  });

  it("another tenant's key, another secret or tampering opens to null, never garbage or a throw", async () => {
    const sealed = await sealEntry(SECRET, "tenant-a", entry);
    expect(await openEntry(SECRET, "tenant-b", sealed)).toBeNull();
    expect(await openEntry("t".repeat(40), "tenant-a", sealed)).toBeNull();
    const bytes = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    bytes[20] = (bytes[20] as number) ^ 1;
    expect(await openEntry(SECRET, "tenant-a", btoa(String.fromCharCode(...bytes)))).toBeNull();
    for (const junk of ["", "not base64!", "AAAA", btoa("x".repeat(64))]) expect(await openEntry(SECRET, "tenant-a", junk)).toBeNull();
    expect(await openEntry(SECRET, "tenant-a", 42 as unknown as string)).toBeNull();
  });

  it("keys are separate from the tenant's credential keys (same secret, other purpose)", async () => {
    const credential = await seal({ secret: SECRET, tenantId: "tenant-a", context: "edgeway/cache-entry/v1" }, JSON.stringify(entry));
    expect(await openEntry(SECRET, "tenant-a", credential)).toBeNull();
  });

  it("a sealed value that is not an entry opens to null", async () => {
    const sealed = await sealEntry(SECRET, "tenant-a", { v: 1, model: "m", created: 1, chunks: "nope" } as unknown as CacheEntry);
    expect(await openEntry(SECRET, "tenant-a", sealed)).toBeNull();
  });
});
