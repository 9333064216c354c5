import { AsyncLocalStorage } from "node:async_hooks";

type RequestScope = { waitUntil: (work: Promise<unknown>) => void; queued: Array<() => Promise<unknown>>; responded: boolean };

// The current request's scope, so library code can schedule background work without every caller
// passing the execution context down. Set once per request by functions/index.ts.
const current = new AsyncLocalStorage<RequestScope>();

/**
 * Resolves on a later turn of the event loop. Work chained on it starts after the runtime has
 * written the response the handler just returned: a promise callback would run first (the
 * runtime takes the response only once the microtask queue is empty), so work started at the end
 * of a handler, even behind an `await`, delays the response by its synchronous part.
 * @example ctx.waitUntil(nextTurn().then(() => meterTheRequest()));
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Runs a request handler in a scope whose `afterResponse` work starts once the response is
 * written (a turn after the handler returned it; kept alive with `waitUntil`), so it never
 * competes with the request's own round trips.
 * @example fetch: (req, env, ctx) => withRequestScope((p) => ctx.waitUntil(p), () => app.fetch(req, env, ctx))
 */
export async function withRequestScope<T>(waitUntil: (work: Promise<unknown>) => void, handler: () => T | Promise<T>): Promise<T> {
  const scope: RequestScope = { waitUntil, queued: [], responded: false };
  return current.run(scope, async () => {
    try {
      return await handler();
    } finally {
      scope.responded = true;
      const queued = scope.queued.splice(0);
      if (queued.length > 0) waitUntil(nextTurn().then(() => Promise.all(queued.map((start) => start().catch(() => {})))));
    }
  });
}

/**
 * Starts `work` after the current request's response (or at once when it was already sent, or
 * outside a request: tests, scripts). Its errors are its own: they never surface here.
 */
export function afterResponse(work: () => Promise<unknown>): void {
  const scope = current.getStore();
  if (!scope) {
    void work().catch(() => {});
  } else if (scope.responded) {
    scope.waitUntil(work().catch(() => {}));
  } else {
    scope.queued.push(work);
  }
}
