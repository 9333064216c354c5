import { AsyncLocalStorage } from "node:async_hooks";

type RequestScope = { waitUntil: (work: Promise<unknown>) => void; queued: Array<() => Promise<unknown>>; responded: boolean };

// The current request's scope, so library code can schedule background work without every caller
// passing the execution context down. Set once per request by functions/index.ts.
const current = new AsyncLocalStorage<RequestScope>();

/**
 * Runs a request handler in a scope whose `afterResponse` work starts once the handler has
 * produced its response (kept alive with `waitUntil`), so it never competes with the request's
 * own round trips.
 * @example fetch: (req, env, ctx) => withRequestScope((p) => ctx.waitUntil(p), () => app.fetch(req, env, ctx))
 */
export async function withRequestScope<T>(waitUntil: (work: Promise<unknown>) => void, handler: () => T | Promise<T>): Promise<T> {
  const scope: RequestScope = { waitUntil, queued: [], responded: false };
  return current.run(scope, async () => {
    try {
      return await handler();
    } finally {
      scope.responded = true;
      for (const start of scope.queued.splice(0)) waitUntil(start().catch(() => {}));
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
