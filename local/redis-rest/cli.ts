import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { findRedis } from "./find-redis";
import { startRedisRest } from "./server";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, host: { type: "string" }, token: { type: "string" } },
});
const token = values.token ?? process.env.UPSTASH_REDIS_REST_TOKEN ?? randomBytes(24).toString("base64url");
const redis = await findRedis();
const rest = await startRedisRest({ redisUrl: redis.url, token, port: Number(values.port), host: values.host });
console.log(`Upstash Redis REST stand-in on ${rest.url} -> ${redis.url.replace(/\/\/[^@/]*@/, "//***@")}`);
console.log(`UPSTASH_REDIS_REST_URL=${rest.url}`);
console.log(`UPSTASH_REDIS_REST_TOKEN=${token}`);

const stop = async () => {
  await rest.close();
  await redis.spawned?.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
