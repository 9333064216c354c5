/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*` (Go's format): `20ms`, `1s`, `1.5s`,
 * `6m0s`, `1h2m3s`.
 * @example openAIDuration(360_000) // "6m0s"
 */
export function openAIDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  if (hours) return `${hours}h${minutes}m${s}`;
  if (minutes) return `${minutes}m${s}`;
  return s;
}
