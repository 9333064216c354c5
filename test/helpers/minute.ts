/**
 * Waits, when less than `neededMs` is left of the current minute, until just after the next one
 * starts: per-minute limiters (ours and @upstash/ratelimit's) use epoch-aligned windows, and a
 * sliding window lets a burst that straddles a boundary through slightly over its limit (the
 * previous minute counts in proportion). Tests that assert exact per-minute counts call this first,
 * and give themselves `neededMs` more than their own run time as a timeout.
 * @example await inOneMinute(15_000); // then the burst
 */
export async function inOneMinute(neededMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
