import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** Writes JSON so readers never see a half-written file: temp file in the same folder, then rename. */
export function writeJsonAtomic(path: string, value: unknown, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  renameSync(tmp, path);
}

/** Reads a JSON file, or returns undefined when it does not exist. */
export function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

/** Renders `KEY=value` lines (values JSON-quoted, as wrangler's .env parser accepts). */
export function toEnvFile(vars: Record<string, string>): string {
  return `${Object.entries(vars)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n")}\n`;
}
