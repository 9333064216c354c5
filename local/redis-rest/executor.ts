import type { EventEmitter } from "node:events";
import { Command, type Pipeline, type Redis } from "ioredis";
import { isBlocking, type RedisCall, unavailableReason } from "./commands";
import type { Outcome, RawReply } from "./encode";
import { HttpError } from "./http-error";
import type { ScriptRewriter } from "./scripts";
import type { RedisRestStats } from "./stats";

/**
 * Runs parsed calls on one shared ioredis connection (RESP2, raw Buffer replies). Pipelines go out
 * as one write and MULTI..EXEC as one contiguous write, so concurrent requests cannot interleave
 * inside a transaction. Blocking commands (BLPOP, XREAD BLOCK, WAIT, ...) and any pipeline holding
 * one run on a short-lived dedicated connection, closed when the HTTP exchange closes.
 */
export class RedisExecutor {
  private readonly dedicated = new Set<Redis>();

  constructor(
    private readonly redis: Redis,
    private readonly scripts: ScriptRewriter,
    private readonly stats: RedisRestStats,
  ) {}

  /** Runs one command; rejects with the Redis error (name "ReplyError") or an HttpError. */
  async one(call: RedisCall, exchange?: EventEmitter): Promise<RawReply> {
    const reason = unavailableReason(call);
    if (reason) throw new HttpError(400, reason);
    this.scripts.apply(call);
    this.stats.commands++;
    const send = (conn: Redis) => conn.sendCommand(toCommand(call)) as Promise<RawReply>;
    const reply = isBlocking(call) ? await this.withDedicated(send, exchange) : await send(this.redis);
    return call.fixReply ? call.fixReply(reply) : reply;
  }

  /** Runs calls as one Redis pipeline; per-command errors come back inline. */
  async pipeline(calls: RedisCall[], exchange?: EventEmitter): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(calls.length);
    const sendable: number[] = [];
    let blocking = false;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i] as RedisCall;
      const reason = unavailableReason(call);
      if (reason) {
        outcomes[i] = [new HttpError(400, reason)];
        continue;
      }
      this.scripts.apply(call);
      blocking ||= isBlocking(call);
      sendable.push(i);
    }
    if (sendable.length === 0) return outcomes;
    this.stats.commands += sendable.length;
    const run = (conn: Redis) => {
      const pipeline = conn.pipeline() as unknown as Pipeline;
      for (const i of sendable) pipeline.sendCommand(toCommand(calls[i] as RedisCall));
      return pipeline.exec() as Promise<Outcome[]>;
    };
    const results = blocking ? await this.withDedicated(run, exchange) : await run(this.redis);
    for (let j = 0; j < sendable.length; j++) {
      const i = sendable[j] as number;
      outcomes[i] = fixOutcome(calls[i] as RedisCall, results[j] as Outcome);
    }
    return outcomes;
  }

  /**
   * Runs calls inside MULTI/EXEC; runtime errors come back inline. A command Redis refuses to
   * queue aborts the whole transaction (EXECABORT, with the first queueing error appended).
   */
  async multiExec(calls: RedisCall[]): Promise<Outcome[]> {
    for (const call of calls) {
      const reason = unavailableReason(call);
      if (reason) throw new HttpError(400, reason);
      this.scripts.apply(call);
    }
    this.stats.commands += calls.length;
    const multi = this.redis.multi() as unknown as Pipeline;
    for (const call of calls) multi.sendCommand(toCommand(call));
    let results: Outcome[];
    try {
      results = (await multi.exec()) as Outcome[];
    } catch (err) {
      const first = (err as { previousErrors?: Error[] }).previousErrors?.[0];
      if (first) (err as Error).message = `${(err as Error).message.replace(/\.$/, "")}: ${first.message}`;
      throw err;
    }
    return results.map((outcome, i) => fixOutcome(calls[i] as RedisCall, outcome));
  }

  /** Drops the dedicated connections still open. */
  close(): void {
    for (const conn of this.dedicated) conn.disconnect();
    this.dedicated.clear();
  }

  private async withDedicated<T>(run: (conn: Redis) => Promise<T>, exchange?: EventEmitter): Promise<T> {
    const conn = this.redis.duplicate();
    conn.on("error", () => {});
    this.dedicated.add(conn);
    const drop = () => conn.disconnect();
    exchange?.once("close", drop);
    try {
      return await run(conn);
    } finally {
      exchange?.off("close", drop);
      this.dedicated.delete(conn);
      conn.disconnect();
    }
  }
}

function toCommand(call: RedisCall): Command {
  // Upper-case names sidestep ioredis' reply transformers (keyed by lower-case name), keeping replies raw.
  return new Command(call.name, call.args, { replyEncoding: null });
}

function fixOutcome(call: RedisCall, outcome: Outcome): Outcome {
  if (!call.fixReply || outcome[0]) return outcome;
  return [null, call.fixReply(outcome[1] ?? null)];
}
