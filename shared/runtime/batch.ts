/** How a batch is bounded. */
export type BatchLimits = {
  /** How long the call that opens a batch waits for others to join it, ms. */
  windowMs: number;
  /** Most calls in one batch: the call that fills a batch sends it at once. */
  maxItems: number;
  /** Most summed `size` in one batch; a call at least this large goes alone. */
  maxSize: number;
  /**
   * How often a call whose batch another request sends checks for its answer once it is due (the
   * batch's window end plus the last send's duration), ms. @default 1
   */
  pollMs?: number;
  /** A call whose batch has no answer by then fails (the request sending it was lost), ms. @default 10_000 */
  giveUpMs?: number;
};

/** Sends a batch: one settled result per item, in order (a rejection of the whole batch fails every call). */
export type SendBatch<In, Out> = (items: In[]) => Promise<PromiseSettledResult<Out>[]>;

/** A batch taken to ride along another round trip: answer it with `settle` once that returns. */
export type TakenBatch<In, Out> = {
  items: In[];
  /** One result per item, in order; a rejection of the whole round trip fails every call. */
  settle(results: PromiseSettledResult<Out>[] | { status: "rejected"; reason: unknown }): void;
};

export type Batcher<In, Out> = {
  /** Queues `item` and settles with its own answer once its batch was sent and answered. */
  call(item: In): Promise<Out>;
  /**
   * Takes the open batch, when there is one of at most `maxSize`, so the caller can send it in a
   * round trip of its own (e.g. ahead of a command that must see its effects). The caller must
   * `settle` it.
   */
  take(maxSize?: number): TakenBatch<In, Out> | undefined;
};

type Slot<In, Out> = { item: In; result?: PromiseSettledResult<Out> };
type Batch<In, Out> = { slots: Slot<In, Out>[]; size: number; closesAt: number };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const NO_ANSWER = { status: "rejected", reason: new Error("the batch sent back no answer for this call") } as const;

/**
 * Coalesces calls made close together in one isolate (typically, by concurrent requests) into one
 * `send`: N calls within `windowMs` cost one round trip instead of N, or none when another round
 * trip takes the batch along (`take`).
 *
 * Safe on Workers, where an I/O object or a pending promise belongs to the request that created
 * it: a batch is sent by the request that closes it (the one that opened it, when its window
 * ends, the one that fills it, or the one that takes it), with that request's own I/O; every
 * other call waits on its own timers and reads its answer from plain memory. No call awaits
 * another request's promise, which workerd would refuse, or cancel as hung. So each call's promise
 * settles in its own request, once its item was sent and answered, and a caller that awaits it
 * (in `waitUntil`) keeps its request alive until then.
 * @example
 * const incr = batcher<string, number>(async (keys) => settledEach(await pipelineIncr(keys)), () => 1, { windowMs: 4, maxItems: 50, maxSize: 50 });
 * await incr.call("a"); // concurrent calls share one pipeline
 */
export function batcher<In, Out>(send: SendBatch<In, Out>, size: (item: In) => number, limits: BatchLimits): Batcher<In, Out> {
  const { windowMs, maxItems, maxSize, pollMs = 1, giveUpMs = 10_000 } = limits;
  let open: Batch<In, Out> | undefined;
  // How long the last send took: a waiting call sleeps that long past its batch's window end
  // before it first looks for its answer, so most calls wake once.
  let lastSendMs = 0;

  function close(batch: Batch<In, Out>): TakenBatch<In, Out> {
    if (open === batch) open = undefined;
    const sentAt = Date.now();
    batch.closesAt = sentAt;
    return {
      items: batch.slots.map((s) => s.item),
      settle(results) {
        lastSendMs = Date.now() - sentAt;
        batch.slots.forEach((slot, i) => {
          slot.result = Array.isArray(results) ? (results[i] ?? NO_ANSWER) : results;
        });
      },
    };
  }

  async function flush(batch: Batch<In, Out>): Promise<void> {
    const taken = close(batch);
    try {
      taken.settle(await send(taken.items));
    } catch (reason) {
      taken.settle({ status: "rejected", reason });
    }
  }

  async function call(item: In): Promise<Out> {
    const slot: Slot<In, Out> = { item };
    const n = size(item);
    // A call that would overflow the open batch sends that batch now and opens the next one.
    const overflow = open && open.size + n > maxSize ? flush(open) : undefined;
    const opens = open === undefined;
    const batch: Batch<In, Out> = open ?? { slots: [], size: 0, closesAt: Date.now() + windowMs };
    open = batch;
    batch.slots.push(slot);
    batch.size += n;
    if (batch.slots.length >= maxItems || batch.size >= maxSize) {
      await flush(batch);
    } else if (opens) {
      await sleep(windowMs);
      if (open === batch) await flush(batch);
    }
    await overflow;
    const deadline = Date.now() + giveUpMs;
    if (!slot.result) await sleep(Math.max(0, batch.closesAt - Date.now()) + lastSendMs);
    while (!slot.result) {
      if (Date.now() > deadline) throw new Error(`no answer for a batched call within ${giveUpMs} ms`);
      await sleep(pollMs);
    }
    if (slot.result.status === "rejected") throw slot.result.reason;
    return slot.result.value;
  }

  return {
    call,
    take: (max = maxSize) => (open && open.size <= max ? close(open) : undefined),
  };
}
