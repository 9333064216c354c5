import { AsyncLocalStorage } from "node:async_hooks";

// The current request's waitUntil, so library code can keep background work alive without every
// caller passing the execution context down. Set once per request by functions/index.ts.
const current = new AsyncLocalStorage<(work: Promise<unknown>) => void>();

/**
 * Runs `fn` with `waitUntil` as the request's deferral hook.
 * @example fetch: (req, env, ctx) => withDefer((p) => ctx.waitUntil(p), () => app.fetch(req, env, ctx))
 */
export function withDefer<T>(waitUntil: (work: Promise<unknown>) => void, fn: () => T): T {
  return current.run(waitUntil, fn);
}

/**
 * Keeps `work` running after the response (the current request's waitUntil); outside a request
 * (tests, scripts) it simply runs. Errors are the work's own to handle; they never surface here.
 */
export function defer(work: Promise<unknown>): void {
  const settled = work.catch(() => {});
  current.getStore()?.(settled);
}
