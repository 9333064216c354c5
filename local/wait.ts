/**
 * Polls `url` until it answers 200, or throws after `timeoutMs` with the last status seen.
 * @example await waitForOk("http://127.0.0.1:8787/readyz", 60_000)
 */
export async function waitForOk(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`gave up waiting for ${url}: the process serving it exited`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      last = `${res.status} ${(await res.text()).slice(0, 300)}`;
      if (res.status === 200) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}
