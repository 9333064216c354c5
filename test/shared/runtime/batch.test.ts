import { describe, expect, it } from "vitest";
import { type BatchLimits, batcher } from "../../../shared/runtime/batch";

const fulfilled = <T>(value: T): PromiseSettledResult<T> => ({ status: "fulfilled", value });
const double = (n: number): PromiseSettledResult<number> =>
  n < 0 ? { status: "rejected", reason: new Error(`negative: ${n}`) } : fulfilled(n * 2);

/** A batcher that doubles numbers and records every batch it sends. */
function doubler(limits: Partial<BatchLimits> = {}, size: (n: number) => number = () => 1) {
  const sent: number[][] = [];
  const { call, take } = batcher<number, number>(
    async (items) => {
      sent.push(items);
      return items.map(double);
    },
    size,
    { windowMs: 20, maxItems: 10, maxSize: 1_000, ...limits },
  );
  return { call, take, sent };
}

describe("batcher", () => {
  it("sends calls made within the window as one batch, in order, and answers each with its own result", async () => {
    const { call, sent } = doubler();
    expect(await Promise.all([1, 2, 3, 4].map(call))).toEqual([2, 4, 6, 8]);
    expect(sent).toEqual([[1, 2, 3, 4]]);
  });

  it("opens a new batch for a call made after the previous one was sent", async () => {
    const { call, sent } = doubler();
    expect(await call(1)).toBe(2);
    expect(await Promise.all([call(2), call(3)])).toEqual([4, 6]);
    expect(sent).toEqual([[1], [2, 3]]);
  });

  it("has the call that fills a batch send it at once, without waiting for the window", async () => {
    const { call, sent } = doubler({ windowMs: 1_000, maxItems: 3 });
    const first = call(1);
    const second = call(2);
    expect(await call(3)).toBe(6);
    expect(sent).toEqual([[1, 2, 3]]);
    // The opener and the second call read their answers later, from memory: no second send.
    expect(await Promise.all([first, second])).toEqual([2, 4]);
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it("sends the open batch first when a call would overflow its size, and a call at least maxSize long alone", async () => {
    const { call, sent } = doubler({ maxSize: 10 }, (n) => n);
    expect(await Promise.all([call(4), call(5), call(3), call(10), call(1)])).toEqual([8, 10, 6, 20, 2]);
    expect(sent).toEqual([[4, 5], [3], [10], [1]]);
  });

  it("fails only the call whose item was refused, and every call of a batch whose send threw", async () => {
    const { call } = doubler();
    const results = await Promise.allSettled([call(1), call(-2), call(3)]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([2, "negative: -2", 6]);

    const { call: down } = batcher<number, number>(
      async () => {
        throw new Error("connection refused");
      },
      () => 1,
      { windowMs: 5, maxItems: 10, maxSize: 10 },
    );
    const failed = await Promise.allSettled([down(1), down(2)]);
    expect(failed.map((r) => r.status === "rejected" && (r.reason as Error).message)).toEqual(["connection refused", "connection refused"]);
  });

  it("answers a call with an error when its batch sends back fewer results than items", async () => {
    const { call: short } = batcher<number, number>(
      async () => [fulfilled(7)],
      () => 1,
      { windowMs: 5, maxItems: 10, maxSize: 10 },
    );
    const results = await Promise.allSettled([short(1), short(2)]);
    expect(results[0]).toEqual({ status: "fulfilled", value: 7 });
    expect(results[1]?.status === "rejected" && (results[1].reason as Error).message).toBe("the batch sent back no answer for this call");
  });

  it("gives up on a call whose batch never answers (the request sending it was lost) after giveUpMs", async () => {
    const { call: lost } = batcher<number, number>(
      () => new Promise(() => {}),
      () => 1,
      { windowMs: 1, maxItems: 10, maxSize: 10, giveUpMs: 50 },
    );
    void lost(1); // opens the batch and, when its window ends, sends it: that send never settles
    const follower = lost(2); // joins the batch and waits for its answer in memory
    await expect(follower).rejects.toThrow("no answer for a batched call within 50 ms");
  });

  it("lets another round trip take the open batch along: its calls are answered from that round trip, never sent again", async () => {
    const { call, take, sent } = doubler({ windowMs: 1_000 });
    const waiting = [call(1), call(2)];
    const taken = take();
    expect(taken?.items).toEqual([1, 2]);
    expect(take()).toBeUndefined(); // taken batches are closed
    taken?.settle(taken.items.map(double));
    expect(await Promise.all(waiting)).toEqual([2, 4]);
    expect(sent).toEqual([]);

    // A call after the take opens a new batch; a failed round trip fails every call it took.
    const next = call(3);
    take()?.settle({ status: "rejected", reason: new Error("pipeline down") });
    await expect(next).rejects.toThrow("pipeline down");
    expect(sent).toEqual([]);
  });

  it("leaves a batch larger than the taker's limit to its own window", async () => {
    const { call, take, sent } = doubler({ windowMs: 10 }, (n) => n);
    const waiting = call(50);
    expect(take(49)).toBeUndefined();
    expect(await waiting).toBe(100);
    expect(sent).toEqual([[50]]);
  });
});
