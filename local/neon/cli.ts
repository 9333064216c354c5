import { type NeonBackend, startNeon } from "./server";

const USAGE = "usage: tsx local/neon/cli.ts [--pglite DIR | --database-url URL] [--port N]";

function parseArgs(argv: string[]): { backend: NeonBackend; port: number } {
  let backend: NeonBackend = { kind: "pglite", dataDir: ".edgeway/pglite" };
  let port = 0;
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(USAGE);
    if (argv[i] === "--pglite") backend = { kind: "pglite", dataDir: value };
    else if (argv[i] === "--database-url") backend = { kind: "postgres", databaseUrl: value };
    else if (argv[i] === "--port") port = Number(value);
    else throw new Error(USAGE);
  }
  return { backend, port };
}

const { backend, port } = parseArgs(process.argv.slice(2));
const neon = await startNeon({ backend, port });
console.log(`neon stand-in (${backend.kind}) listening`);
console.log(`  DATABASE_URL       ${neon.databaseUrl}`);
console.log(`  fetchEndpoint      ${neon.sqlUrl}`);
console.log(`  wsProxy            ${neon.wsProxy}`);
console.log(`  stats              ${neon.statsUrl}`);

const stop = async () => {
  await neon.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
