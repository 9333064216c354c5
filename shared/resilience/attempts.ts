import { GatewayError } from "../errors/gateway-error";
import { backoffMs, DEFAULT_RETRY_POLICY, type FailureClass, failureClass, fallbackable, type RetryPolicy, retryable } from "./retry";

export type AttemptKind = "request" | "retry" | "fallback" | "hedge";

/** What one attempt is told. `signal` fires on first-byte timeout, deadline, lost hedge or client gone. */
export type AttemptContext = { signal: AbortSignal; kind: AttemptKind; index: number };

/** One finished attempt, for metering and breaker stats. `failure` is set when `ok` is false. */
export type AttemptRecord<C> = {
  candidate: C;
  kind: AttemptKind;
  /** Start order within the request, from 0. */
  index: number;
  ok: boolean;
  error?: unknown;
  failure?: FailureClass;
  latencyMs: number;
};

export type RunAttemptsOptions<C, T> = {
  /** Best first; the caller appends fallbacks (other deployments, then fallback models). */
  candidates: readonly C[];
  /** Performs one attempt; resolves when headers / the first byte arrived (a stream body may go on). */
  attempt: (candidate: C, ctx: AttemptContext) => Promise<T>;
  /** @default DEFAULT_RETRY_POLICY */
  policy?: Partial<RetryPolicy>;
  /** Clock of the deadline. @default Date.now */
  now?: () => number;
  /** Backoff waits; must resolve early when `signal` aborts. @default a setTimeout sleep */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Jitter source. @default Math.random */
  random?: () => number;
  /** Called once per attempt when it settles (winner, failure, or aborted loser). Must not throw. */
  onAttempt?: (record: AttemptRecord<C>) => void;
  /** The client went away: aborts every attempt, and the winner's until `release()` is called. */
  signal?: AbortSignal;
};

export type AttemptsResult<C, T> = {
  value: T;
  winner: { candidate: C; kind: AttemptKind; index: number };
  attempts: number;
  /**
   * Unties the winner from the client's signal: call it once the answer is fully delivered (a JSON
   * body read, a stream ended). The client's signal may outlive the request in the runtime, and a
   * listener left on it keeps everything this request built alive.
   */
  release: () => void;
};

type Step = { pos: number; kind: AttemptKind };
type Run<C> = Step & { candidate: C; index: number; controller: AbortController; startedAt: number; done: boolean; timers: number[] };
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; failure: FailureClass };
type LoopEvent<C, T> =
  | { type: "settled"; run: Run<C>; outcome: Outcome<T> }
  | { type: "hedge"; run: Run<C> }
  | { type: "wake"; step: Step }
  | { type: "abort" };

/**
 * Tries candidates until one answers, within hard bounds: at most `maxAttempts` attempts in all (no
 * retry storm), one retry per candidate (retryable failures, after a jittered backoff honouring
 * Retry-After), then the next candidate (fallbackable failures, no wait), client errors rethrown at
 * once, nothing started or slept past the deadline. With `hedgeAfterMs`, a slow attempt gets one
 * parallel twin on the next candidate (or the same one when none is left); the first success wins
 * and the other is aborted. A failure while another attempt is in flight waits for that attempt.
 * @throws the last failure, the client error, the client's abort reason, or upstream_timeout past the deadline.
 * @example
 * const { value, winner } = await runAttempts({ candidates: deployments, policy,
 *   attempt: (d, { signal }) => completeChat({ ...call, provider: d.provider, target: d.target, signal }),
 *   onAttempt: (r) => records.push(r), signal: c.req.raw.signal });
 */
export function runAttempts<C, T>(opts: RunAttemptsOptions<C, T>): Promise<AttemptsResult<C, T>> {
  return new AttemptLoop(opts).run();
}

const DEADLINE = (ms: number) => `No upstream answered within the request deadline (${ms} ms)`;

/** One request's attempts: an event loop over settled attempts, hedge timers, backoff wake-ups and client aborts. */
class AttemptLoop<C, T> {
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly deadline: number;
  private readonly maxAttempts: number;
  private readonly client?: AbortSignal;
  /** Cancels backoff sleeps when the loop ends; made by the first sleep (an abort costs an exception object). */
  private loop?: AbortController;
  private readonly events: LoopEvent<C, T>[] = [];
  private wake?: () => void;
  private readonly running = new Set<Run<C>>();
  /** Candidates that had their one retry (a same-candidate hedge counts as it). */
  private readonly retried = new Set<number>();
  private started = 0;
  private failures = 0;
  /** The furthest candidate tried so far; fallbacks and hedges take the one after. */
  private frontier = -1;
  private lastError: unknown;

  constructor(private readonly opts: RunAttemptsOptions<C, T>) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.policy };
    this.now = opts.now ?? Date.now;
    this.deadline = this.now() + this.policy.deadlineMs;
    this.maxAttempts = Math.max(1, Math.floor(this.policy.maxAttempts));
    this.client = opts.signal;
  }

  async run(): Promise<AttemptsResult<C, T>> {
    const { client } = this;
    if (client?.aborted) throw client.reason;
    if (this.opts.candidates.length === 0) throw new GatewayError("upstream_unavailable", "No deployment is available for this model");
    const onClientAbort = () => this.push({ type: "abort" });
    client?.addEventListener("abort", onClientAbort, { once: true });
    try {
      this.start({ pos: 0, kind: "request" });
      for (;;) {
        const done = this.handle(await this.next());
        if (done) return done;
      }
    } finally {
      this.loop?.abort();
      client?.removeEventListener("abort", onClientAbort);
    }
  }

  /** Reacts to one event: the result when an attempt won, undefined to keep going; throws when done trying. */
  private handle(ev: LoopEvent<C, T>): AttemptsResult<C, T> | undefined {
    if (ev.type === "abort") {
      this.abortAll(this.client?.reason);
      throw this.client?.reason;
    }
    if (ev.type === "hedge") {
      const step = !ev.run.done && this.hedgeStep(ev.run);
      if (step) this.start(step);
      return;
    }
    if (ev.type === "wake") {
      if (this.deadline <= this.now()) throw this.giveUp();
      this.start(ev.step);
      return;
    }
    const { run, outcome } = ev;
    if (outcome.ok) {
      if (this.running.size > 0) this.abortAll(new DOMException("Another attempt answered first", "AbortError"));
      const winner = { candidate: run.candidate, kind: run.kind, index: run.index };
      return { value: outcome.value, winner, attempts: this.started, release: this.tieToClient(run.controller) };
    }
    if (outcome.failure === "client" || outcome.failure === "aborted") {
      this.abortAll(outcome.error);
      throw outcome.error;
    }
    this.failures++;
    this.lastError = outcome.error;
    if (this.running.size > 0) return;
    const step = this.nextStep(run, outcome.failure, outcome.error);
    if (!step) throw this.giveUp();
    if (step.waitMs === 0) this.start(step);
    else {
      this.loop ??= new AbortController();
      void (this.opts.sleep ?? sleep)(step.waitMs, this.loop.signal).then(() => this.push({ type: "wake", step }));
    }
  }

  private start({ pos, kind }: Step): void {
    const { policy } = this;
    const candidate = this.opts.candidates[pos] as C;
    const controller = new AbortController();
    const run: Run<C> = { pos, kind, candidate, index: this.started++, controller, startedAt: this.now(), done: false, timers: [] };
    this.running.add(run);
    this.frontier = Math.max(this.frontier, pos);
    const remaining = this.deadline - this.now();
    const limit = Math.max(0, Math.min(policy.firstByteTimeoutMs, remaining));
    const message = remaining < policy.firstByteTimeoutMs ? DEADLINE(policy.deadlineMs) : `No first byte from upstream within ${limit} ms`;
    // the error is made when the timer fires: building an Error on every attempt costs a stack capture
    const onTimeout = () => this.settle(run, { ok: false, error: new GatewayError("upstream_timeout", message), failure: "timeout" });
    run.timers.push(setTimeout(onTimeout, limit));
    if (policy.hedgeAfterMs !== undefined && kind !== "hedge") {
      run.timers.push(setTimeout(() => this.push({ type: "hedge", run }), policy.hedgeAfterMs));
    }
    // Settling on our own timers rather than on the attempt honouring its signal: a call that
    // ignores the abort still cannot hold the request past its timeout.
    Promise.resolve()
      .then(() => this.opts.attempt(candidate, { signal: controller.signal, kind, index: run.index }))
      .then(
        (value) => this.settle(run, { ok: true, value }),
        (error) => this.settle(run, { ok: false, error, failure: failureClass(error) }),
      );
  }

  private settle(run: Run<C>, outcome: Outcome<T>): void {
    if (run.done) return;
    run.done = true;
    for (const t of run.timers) clearTimeout(t);
    this.running.delete(run);
    if (!outcome.ok) run.controller.abort(outcome.error);
    const { candidate, kind, index } = run;
    const record: AttemptRecord<C> = { candidate, kind, index, ok: outcome.ok, latencyMs: this.now() - run.startedAt };
    if (!outcome.ok) Object.assign(record, { error: outcome.error, failure: outcome.failure });
    // A metering callback must never wedge the loop (settle runs inside promise callbacks).
    try {
      this.opts.onAttempt?.(record);
    } catch {}
    this.push({ type: "settled", run, outcome });
  }

  /** The step after `run` failed with nothing else in flight, or null when done trying. */
  private nextStep(run: Run<C>, failure: FailureClass, error: unknown): (Step & { waitMs: number }) | null {
    const remainingMs = this.deadline - this.now();
    if (this.started >= this.maxAttempts || remainingMs <= 0) return null;
    const canFallback = fallbackable(failure) && this.frontier + 1 < this.opts.candidates.length;
    if (retryable(failure) && !this.retried.has(run.pos)) {
      const retryAfterMs = error instanceof GatewayError ? error.details.retryAfterMs : undefined;
      const waitMs = backoffMs(this.failures, this.policy, { retryAfterMs, remainingMs }, this.opts.random);
      // A Retry-After longer than the backoff cap is never waited out inside a request: another
      // deployment may answer now, else the client gets the 429 with its retry-after.
      const tooLong = (retryAfterMs ?? 0) > this.policy.maxBackoffMs;
      if (waitMs !== null && !tooLong) {
        this.retried.add(run.pos);
        return { pos: run.pos, kind: "retry", waitMs };
      }
    }
    return canFallback ? { pos: this.frontier + 1, kind: "fallback", waitMs: 0 } : null;
  }

  /** The hedge for a slow `run`: the next candidate, else the same one if it has its retry left. */
  private hedgeStep(run: Run<C>): Step | null {
    if (this.running.size !== 1 || this.started >= this.maxAttempts || this.deadline <= this.now()) return null;
    if (this.frontier + 1 < this.opts.candidates.length) return { pos: this.frontier + 1, kind: "hedge" };
    if (this.retried.has(run.pos)) return null;
    this.retried.add(run.pos);
    return { pos: run.pos, kind: "hedge" };
  }

  /** The winner's body (a stream may go on) stops when the client goes away, until released. */
  private tieToClient(controller: AbortController): () => void {
    const { client } = this;
    if (!client) return () => {};
    const onAbort = () => controller.abort(client.reason);
    client.addEventListener("abort", onAbort, { once: true });
    return () => client.removeEventListener("abort", onAbort);
  }

  private abortAll(reason: unknown): void {
    for (const run of [...this.running]) this.settle(run, { ok: false, error: reason, failure: "aborted" });
  }

  private giveUp(): unknown {
    const err = this.lastError;
    if (this.deadline > this.now() || (err instanceof GatewayError && err.code === "upstream_timeout")) return err;
    return new GatewayError("upstream_timeout", DEADLINE(this.policy.deadlineMs), { cause: err });
  }

  private push(e: LoopEvent<C, T>): void {
    this.events.push(e);
    this.wake?.();
  }

  private async next(): Promise<LoopEvent<C, T>> {
    while (this.events.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return this.events.shift() as LoopEvent<C, T>;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
