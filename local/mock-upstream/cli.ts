/**
 * Standalone mock upstream: `npx tsx local/mock-upstream/cli.ts [--port 8790] [--seed 1]`
 * (or MOCK_UPSTREAM_PORT / MOCK_UPSTREAM_SEED). Stops on SIGINT/SIGTERM.
 */
import { startMockUpstream } from "./server";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

const port = Number(arg("port") ?? process.env.MOCK_UPSTREAM_PORT ?? 8790);
const seed = Number(arg("seed") ?? process.env.MOCK_UPSTREAM_SEED ?? 0);

const mock = await startMockUpstream({ port, seed });
console.log(`mock upstream listening on ${mock.url} (seed ${seed})`);
console.log(`  OpenAI     ${mock.url}/v1  (chat/completions, embeddings, models)`);
console.log(`  Anthropic  ${mock.url}  (/v1/messages)`);
console.log(`  Gemini     ${mock.url}/v1beta  (models/{model}:generateContent, :streamGenerateContent?alt=sse)`);
console.log(`  deployment ${mock.url}/d/<name>/...  (same routes, own faults and stats)`);
console.log(`  control    ${mock.controlUrl}   stats ${mock.statsUrl}   log ${mock.controlUrl}/requests?limit=20`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping mock upstream`);
  mock.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
