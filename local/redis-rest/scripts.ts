import { createHash } from "node:crypto";
import type { Arg, RedisCall } from "./commands";

const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);
const CACHE_LIMIT = 1000;

/** Hex SHA-1 of a script, as Redis names it. */
export function scriptSha(script: string): string {
  return createHash("sha1").update(script).digest("hex");
}

/**
 * Drops Upstash-only flags (`allow-key-locking`) from a `#!lua flags=...` shebang, which stock Redis
 * rejects. Returns the script itself when nothing needs to change.
 */
export function rewriteShebang(script: string): string {
  if (!script.startsWith("#!")) return script;
  const eol = script.indexOf("\n");
  const line = eol === -1 ? script : script.slice(0, eol);
  const [engine = "", ...params] = line.slice(2).trim().split(/\s+/);
  let changed = false;
  const kept: string[] = [];
  for (const param of params) {
    if (!param.startsWith("flags=")) {
      kept.push(param);
      continue;
    }
    const flags = param.slice(6).split(",");
    const redisFlags = flags.filter((flag) => flag !== "" && !UPSTASH_ONLY_FLAGS.has(flag));
    if (redisFlags.length !== flags.length) changed = true;
    if (redisFlags.length > 0) kept.push(`flags=${redisFlags.join(",")}`);
  }
  if (!changed) return script;
  const shebang = `#!${[engine, ...kept].join(" ")}`;
  return eol === -1 ? shebang : shebang + script.slice(eol);
}

interface Rewritten {
  text: string;
  originalSha: string;
}

/**
 * Lets Redis run scripts written for Upstash: rewrites their shebang and remembers
 * sha1(original) → sha1(rewritten), so EVAL, EVALSHA, the _RO variants, SCRIPT LOAD and SCRIPT
 * EXISTS answer as if Redis had run the original text. A sha it has not seen goes to Redis as is,
 * so NOSCRIPT comes back exactly as Redis words it and clients fall back to EVAL.
 */
export class ScriptRewriter {
  private readonly shaMap = new Map<string, string>();
  private readonly cache = new Map<string, Rewritten>();

  /** Rewrites a call in place when it carries or names a script. */
  apply(call: RedisCall): void {
    const args = call.args;
    switch (call.name) {
      case "EVAL":
      case "EVAL_RO": {
        const rewritten = this.rewrite(args[0]);
        if (rewritten) args[0] = rewritten.text;
        return;
      }
      case "EVALSHA":
      case "EVALSHA_RO":
        if (args.length > 0) args[0] = this.mapSha(args[0] as Arg);
        return;
      case "SCRIPT": {
        const sub = String(args[0] ?? "").toUpperCase();
        if (sub === "LOAD") {
          const rewritten = this.rewrite(args[1]);
          if (!rewritten) return;
          args[1] = rewritten.text;
          const sha = Buffer.from(rewritten.originalSha);
          call.fixReply = (reply) => (Buffer.isBuffer(reply) ? sha : reply);
        } else if (sub === "EXISTS") {
          for (let i = 1; i < args.length; i++) args[i] = this.mapSha(args[i] as Arg);
        }
        return;
      }
    }
  }

  private mapSha(sha: Arg): Arg {
    if (this.shaMap.size === 0) return sha;
    return this.shaMap.get(String(sha).toLowerCase()) ?? sha;
  }

  private rewrite(arg: Arg | undefined): Rewritten | undefined {
    if (arg === undefined) return undefined;
    const script = typeof arg === "string" ? arg : arg.toString("utf8");
    if (!script.startsWith("#!")) return undefined;
    const cached = this.cache.get(script);
    if (cached) return cached;
    const text = rewriteShebang(script);
    if (text === script) return undefined;
    const rewritten = { text, originalSha: scriptSha(script) };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(script, rewritten);
    this.shaMap.set(rewritten.originalSha, scriptSha(text));
    return rewritten;
  }
}
