/**
 * `npm run dev`: the offline stack plus the gateway under `wrangler dev` on http://127.0.0.1:8787
 * (EDGEWAY_PORT overrides). Writes `.edgeway/dev.json` once /readyz is green; Ctrl-C or SIGTERM
 * stops everything it started and removes the file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { newApiKey } from "../shared/auth/keys";
import { readJson, toEnvFile, writeJsonAtomic } from "./files";
import { SEED_MODELS, seedDev } from "./seed";
import { MOCKED_PROVIDERS, type PostgresChoice, type Stack, type StackSecrets, startStack } from "./stack";
import { waitForOk } from "./wait";

const root = resolve(import.meta.dirname, "..");
const dataDir = join(root, ".edgeway");
const port = Number(process.env.EDGEWAY_PORT ?? 8787);
const gateway = `http://127.0.0.1:${port}`;
const devJsonPath = join(dataDir, "dev.json");

type DevSecrets = StackSecrets & { apiKey: string };

function loadSecrets(): DevSecrets {
  const path = join(dataDir, "secrets.json");
  const saved = readJson<Partial<DevSecrets>>(path) ?? {};
  const secrets: DevSecrets = {
    adminToken: saved.adminToken ?? `ewadm_${crypto.randomUUID().replaceAll("-", "")}`,
    redisRestToken: saved.redisRestToken ?? crypto.randomUUID(),
    vectorRestToken: saved.vectorRestToken ?? crypto.randomUUID(),
    // Persisted: credentials stored by tenants (BYOK) must stay readable across restarts.
    encryptionKey: saved.encryptionKey ?? `${crypto.randomUUID()}${crypto.randomUUID()}`.replaceAll("-", ""),
    apiKey: saved.apiKey ?? newApiKey("dev"),
  };
  writeJsonAtomic(path, secrets);
  return secrets;
}

function postgresChoice(): PostgresChoice {
  const url = process.env.DATABASE_URL;
  return url ? { kind: "postgres", databaseUrl: url } : { kind: "pglite", dataDir: join(dataDir, "pglite") };
}

/** Providers whose key the user put in `.dev.vars` (or the shell): those are not sent to the mock. */
function providersWithRealKeys(): string[] {
  const path = join(root, ".dev.vars");
  const vars = existsSync(path) ? readFileSync(path, "utf8") : "";
  return Object.entries(MOCKED_PROVIDERS)
    .filter(([, { keyEnv }]) => process.env[keyEnv] || new RegExp(`^\\s*${keyEnv}\\s*=`, "m").test(vars))
    .map(([id]) => id);
}

function startWrangler(stack: Stack): ChildProcess {
  const envFile = join(dataDir, "stack.env");
  writeFileSync(envFile, toEnvFile(stack.bindings), { mode: 0o600 });
  const userVars = join(root, ".dev.vars");
  const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const args = [
    wrangler,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
    "--env-file",
    envFile,
  ];
  if (existsSync(userVars)) args.push("--env-file", userVars);
  return spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    // Own process group, so stopping it also stops the workerd it spawns.
    detached: true,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function devInfo(stack: Stack, secrets: DevSecrets, tenantId: string) {
  const stats = (s: { statsUrl: string }) => s.statsUrl;
  return {
    gateway,
    adminToken: secrets.adminToken,
    tenantId,
    apiKey: secrets.apiKey,
    databaseUrl: stack.neon.databaseUrl,
    redisRest: stack.redisRest.url,
    redisRestToken: secrets.redisRestToken,
    vectorRest: stack.vector.url,
    vectorRestToken: secrets.vectorRestToken,
    neonHttp: stack.neon.sqlUrl,
    mockUpstream: stack.mock.url,
    mockControl: stack.mock.controlUrl,
    stats: { redisRest: stats(stack.redisRest), vectorRest: stats(stack.vector), neon: stats(stack.neon), mockUpstream: stats(stack.mock) },
    pid: process.pid,
  };
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const started = Date.now();
  const secrets = loadSecrets();
  const stack = await startStack({
    dataDir,
    postgres: postgresChoice(),
    redisKeyPrefix: "ew:",
    secrets,
    environment: "development",
    realProviders: providersWithRealKeys(),
  });
  const seed = await seedDev(stack.neon.databaseUrl, secrets.apiKey).catch(async (err) => {
    await stack.close();
    throw err;
  });
  const wrangler = startWrangler(stack);
  let stopping = false;
  const cron = setInterval(() => void fetch(`${gateway}/__scheduled?cron=*+*+*+*+*`).catch(() => {}), 60_000);

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(cron);
    rmSync(devJsonPath, { force: true });
    await stopProcessGroup(wrangler);
    await stack.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  wrangler.once("exit", (code) => {
    if (!stopping) console.error(`edgeway dev: wrangler exited (${code}); stopping the stack`);
    void shutdown(code ?? 1);
  });

  try {
    await waitForOk(`${gateway}/readyz`, 60_000, () => wrangler.exitCode === null);
  } catch (err) {
    console.error(`edgeway dev: ${err instanceof Error ? err.message : err}`);
    return shutdown(1);
  }
  const info = devInfo(stack, secrets, seed.tenantId);
  writeJsonAtomic(devJsonPath, info);
  console.log(`
Edgeway dev is ready in ${((Date.now() - started) / 1000).toFixed(1)} s  (details: .edgeway/dev.json)
  gateway      ${gateway}        (OpenAI base URL: ${gateway}/v1)
  api key      ${secrets.apiKey}
  admin token  ${secrets.adminToken}
  tenant       ${seed.tenantId}; models: ${SEED_MODELS.map((m) => m.name).join(", ")}
  postgres     ${stack.neon.databaseUrl.replace(/:[^:@/]*@/, ":***@")}
  mock control ${stack.mock.controlUrl}

  curl ${gateway}/v1/chat/completions -H "Authorization: Bearer ${secrets.apiKey}" \\
    -H "content-type: application/json" -d '{"model":"mock-small","messages":[{"role":"user","content":"hi"}]}'
Ctrl-C stops everything.`);
}

main().catch((err) => {
  console.error(`edgeway dev: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
