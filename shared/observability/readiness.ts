/** One dependency's probe result. */
export type Check = { ok: boolean; ms: number; error?: string };

/**
 * Runs the probes concurrently, each bounded by `timeoutMs`. Error texts are reduced to the error's
 * class name so a failing probe never echoes a URL or token.
 * @example await checkAll({ redis: () => redis.ping() }, 2000)
 */
export async function checkAll(probes: Record<string, () => Promise<unknown>>, timeoutMs: number): Promise<Record<string, Check>> {
  const entries = await Promise.all(Object.entries(probes).map(async ([name, probe]) => [name, await timed(probe, timeoutMs)] as const));
  return Object.fromEntries(entries);
}

async function timed(probe: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
  });
  try {
    await Promise.race([probe(), timeout]);
    return { ok: true, ms: Math.round(performance.now() - start) };
  } catch (err) {
    const error = err instanceof Error && err.message === "timeout" ? "timeout" : err instanceof Error ? err.name : "error";
    return { ok: false, ms: Math.round(performance.now() - start), error };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
