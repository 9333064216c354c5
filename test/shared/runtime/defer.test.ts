import { describe, expect, it } from "vitest";
import { afterResponse, nextTurn, withRequestScope } from "../../../shared/runtime/defer";

/** Lets `n` rounds of promise callbacks run: what the runtime does before it takes a handler's response. */
async function drainMicrotasks(n = 50): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe("nextTurn", () => {
  it("resolves only once the microtask queue has drained", async () => {
    const order: string[] = [];
    const turn = nextTurn().then(() => order.push("next turn"));
    await drainMicrotasks();
    order.push("microtasks drained");
    await turn;
    expect(order).toEqual(["microtasks drained", "next turn"]);
  });
});

describe("withRequestScope and afterResponse", () => {
  it("starts deferred work a turn after the handler's response was taken, kept alive with waitUntil", async () => {
    const order: string[] = [];
    const kept: Promise<unknown>[] = [];
    const response = withRequestScope(
      (work) => kept.push(work),
      async () => {
        afterResponse(async () => {
          order.push("deferred work");
        });
        order.push("handler returns");
        return "the response";
      },
    );
    expect(await response).toBe("the response");
    order.push("response taken");
    await drainMicrotasks();
    expect(order).toEqual(["handler returns", "response taken"]);
    expect(kept).toHaveLength(1);
    await Promise.all(kept);
    expect(order).toEqual(["handler returns", "response taken", "deferred work"]);
  });

  it("keeps a failing deferred job from failing the others or the request", async () => {
    const kept: Promise<unknown>[] = [];
    const done: string[] = [];
    await withRequestScope(
      (work) => kept.push(work),
      async () => {
        afterResponse(() => Promise.reject(new Error("store down")));
        afterResponse(async () => {
          done.push("second");
        });
      },
    );
    await expect(Promise.all(kept)).resolves.toBeDefined();
    expect(done).toEqual(["second"]);
  });

  it("queues nothing for waitUntil when no work was deferred", async () => {
    const kept: Promise<unknown>[] = [];
    await withRequestScope(
      (work) => kept.push(work),
      async () => "ok",
    );
    expect(kept).toEqual([]);
  });

  it("outside a request (tests, scripts) starts the work at once", async () => {
    const done: string[] = [];
    afterResponse(async () => {
      done.push("ran");
    });
    expect(done).toEqual(["ran"]);
  });
});
